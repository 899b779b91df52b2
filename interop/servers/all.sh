# Loads everything start.sh, stop.sh and reset-mail.sh need (sourced, never
# run): the shared settings and each further server's functions.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
. "$here/common.sh"
. "$here/cyrus.sh"
. "$here/postfix-lmtp.sh"
. "$here/opensmtpd.sh"
. "$here/mailutils.sh"
need_root

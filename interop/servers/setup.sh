#!/usr/bin/env bash
# One-time system setup for the lane's further servers (issue 12 §2): installs
# what does not conflict with Postfix/Dovecot with apt-get (cyrus-common brings
# master, lmtpd and the cyrus user; sasl2-bin saslpasswd2; the libraries of the
# rest), downloads the conflicting packages (cyrus-imapd, cyrus-pop3d,
# opensmtpd, mailutils-imap4d, mailutils-pop3d) and unpacks them with
# dpkg-deb -x under $PKG_ROOT, creates OpenSMTPD's users and mount points.
# Needs ../setup.sh first (Postfix, Dovecot, the vmail user). Idempotent.
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root

# Installed normally: none of them provides mail-transport-agent / imap-server / pop3-server.
PACKAGES=(cyrus-common sasl2-bin db-util libsasl2-modules-db mailutils-common libmailutils9 libmu-dbm9
  libgsasl18 libkyotocabinet16v5 libgdbm6 libnsl2 libwrap0 libevent-2.1-7 libdb5.3 libpam0g python3)
# Unpacked only: apt refuses them next to Postfix and Dovecot.
UNPACKED=(cyrus-imapd cyrus-pop3d opensmtpd mailutils-imap4d mailutils-pop3d)

command -v postfix >/dev/null && id -u "$VMAIL_USER" >/dev/null 2>&1 || die "run interop/setup.sh first (Postfix, Dovecot, vmail)"

# Maintainer scripts must not start the packaged Cyrus on 143/110.
apt_install_missing "${PACKAGES[@]}"
# cyrus-common enables a system Cyrus on 143/110/2000: never run it.
if [ -d /run/systemd/system ]; then
  timeout 30 systemctl disable --now cyrus-imapd >/dev/null 2>&1 || true
else
  timeout 30 update-rc.d cyrus-imapd disable >/dev/null 2>&1 || true
fi

# The unpacked trees carry the candidate version in a stamp: a point release
# of any of them unpacks again. One apt-get download for all (~1 s, not ~4 s each).
mkdir -p "$PKG_ROOT"
stale=()
# One apt-cache call for all: "pkg:" lines, each followed by its "Candidate:".
declare -A candidate
while read -r p v; do candidate[$p]=$v; done < <(apt-cache policy "${UNPACKED[@]}" | awk '/^[^ ].*:$/ { sub(":$", ""); p = $0 } /Candidate:/ { print p, $2 }')
for p in "${UNPACKED[@]}"; do
  version="${candidate[$p]:-}"
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "no candidate version of $p (apt-get update?)"
  [ "$(cat "$PKG_ROOT/$p.version" 2>/dev/null)" = "$version" ] || stale+=("$p=$version")
done
if [ "${#stale[@]}" -gt 0 ]; then
  log "downloading and unpacking into $PKG_ROOT: ${stale[*]}"
  dl=$(mktemp -d)
  chmod 755 "$dl"   # apt downloads as _apt when it can
  ( cd "$dl" && timeout 300 apt-get download -q "${stale[@]}" >>"$APT_LOG" 2>&1 ) \
    || { rm -rf "$dl"; tail -5 "$APT_LOG" >&2; die "apt-get download failed"; }
  for pv in "${stale[@]}"; do
    p="${pv%%=*}"
    rm -rf "${PKG_ROOT:?}/$p"
    dpkg-deb -x "$dl/${p}_"*.deb "$PKG_ROOT/$p"
    echo "${pv#*=}" > "$PKG_ROOT/$p.version"
  done
  rm -rf "$dl"
fi

# OpenSMTPD (as Debian builds it) drops privileges to these two users and has
# its spool, control socket, chroot and helper programs at fixed paths: each
# lane's instance binds its own directories over these mount points in a
# private mount namespace (servers/opensmtpd.sh), so the empty directories
# here are all it ever leaves on the host.
for u in opensmtpd opensmtpq; do
  id -u "$u" >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
done
mkdir -p /var/spool/smtpd /var/lib/opensmtpd/empty /usr/libexec/opensmtpd

log "further servers ready: cyrus $(cat "$PKG_ROOT/cyrus-imapd.version"), opensmtpd $(cat "$PKG_ROOT/opensmtpd.version"), mailutils $(cat "$PKG_ROOT/mailutils-imap4d.version")"

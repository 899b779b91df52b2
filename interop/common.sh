# Shared settings for the interop scripts (sourced, never run).
# Owns: the run directory layout, the port plan, the test users and the
# bounded-wait helpers. setup.sh, start.sh, stop.sh and reset-mail.sh read it.

INTEROP_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${MAILCONFORM_INTEROP_DIR:-/tmp/mailconform-interop}"
DOMAIN="example.test"
# login:password pairs; the address is login@DOMAIN (same as the reference server's defaults).
USERS=("alice:alice-pw" "bob:bob-pw")
VMAIL_USER="vmail"

PF_CONF="$RUN_DIR/postfix"          # config_directory
PF_QUEUE="$RUN_DIR/postfix-queue"   # queue_directory (root-owned, subdirs postfix-owned)
PF_DATA="$RUN_DIR/postfix-data"     # data_directory (postfix-owned)
DC_CONF="$RUN_DIR/dovecot"          # dovecot.conf, users
DC_BASE="$RUN_DIR/dovecot-run"      # base_dir: sockets, master.pid
MAIL_DIR="$RUN_DIR/mail"            # one Maildir per user: mail/<login>/{cur,new,tmp}
TLS_DIR="$RUN_DIR/tls"
LOG_DIR="$RUN_DIR/log"
TARGET_FILE="$RUN_DIR/targets/postfix-dovecot.yaml"

log() { printf 'interop: %s\n' "$*" >&2; }
die() { printf 'interop: error: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (Postfix and Dovecot drop privileges themselves)"
}

# wait_gone PID SECONDS -- true once PID has exited, false after SECONDS.
wait_gone() {
  local pid="$1" deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# ports_from_base N -- sets the port variables for base N.
ports_from_base() {
  local base="$1"
  LMTP_PORT=$((base + 24))          # Dovecot's LMTP (RFC 2033), for suites/lmtp
  SMTP_PORT=$((base + 25))
  SUBMISSION_PORT=$((base + 587))
  SMTPS_PORT=$((base + 465))        # implicit TLS (RFC 8314), same smtpd as SMTP_PORT
  POP3_PORT=$((base + 110))
  POP3S_PORT=$((base + 995))
  IMAP_PORT=$((base + 143))
  IMAPS_PORT=$((base + 993))
}

# apt_install_missing PACKAGE... -- apt-get installs those not installed yet,
# with every packaged service start denied (policy-rc.d exit 101) so nothing
# ever binds 25/110/143, and one apt-get update when the lists are stale.
# Log: /tmp/mailconform-interop-apt.log.
APT_LOG=/tmp/mailconform-interop-apt.log
apt_install_missing() {
  local p missing=() added_policy=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  log "installing: ${missing[*]}"
  # Docker-style images already ship a policy-rc.d that denies; add one only
  # for the duration of the install and only if there is none.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  local rc=0
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 600 apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$APT_LOG" 2>&1; then
    log "apt-get install failed, running apt-get update once (log: $APT_LOG)"
    timeout 300 apt-get update -q >>"$APT_LOG" 2>&1 || true
    timeout 600 apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$APT_LOG" 2>&1 || rc=$?
  fi
  [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
  [ "$rc" -eq 0 ] || { tail -20 "$APT_LOG" >&2; die "apt-get install failed"; }
}

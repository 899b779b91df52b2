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
  SMTP_PORT=$((base + 25))
  SUBMISSION_PORT=$((base + 587))
  POP3_PORT=$((base + 110))
  POP3S_PORT=$((base + 995))
  IMAP_PORT=$((base + 143))
  IMAPS_PORT=$((base + 993))
}

#!/usr/bin/env bash
# Starts the interop lane: a second Postfix instance (SMTP, submission) and a
# Dovecot instance (POP3, IMAP, POP3S, IMAPS) on 127.0.0.1, SMTPS too, sharing one set of
# Maildirs, from configs generated out of interop/templates/ into the run
# directory. Waits (bounded) for every greeting, then writes a mailconform
# target file. Run setup.sh once before. Stop with stop.sh.
# Usage: start.sh [--base N]   (ports N+25, N+465, N+587, N+110, N+143, N+995, N+993; N defaults to 3000)
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root

base="${MAILCONFORM_INTEROP_BASE:-3000}"
while [ $# -gt 0 ]; do
  case "$1" in
    --base) [ $# -ge 2 ] || die "--base needs a number"; base="$2"; shift 2 ;;
    --base=*) base="${1#--base=}"; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (usage: start.sh [--base N])" ;;
  esac
done
[[ "$base" =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 64000 ] || die "--base must be 1024..64000, got '$base'"
ports_from_base "$base"

for cmd in postfix postconf dovecot openssl node; do
  command -v "$cmd" >/dev/null || die "$cmd not found: run interop/setup.sh first"
done
id -u "$VMAIL_USER" >/dev/null 2>&1 || die "user $VMAIL_USER missing: run interop/setup.sh first"
VMAIL_UID=$(id -u "$VMAIL_USER")
VMAIL_GID=$(id -g "$VMAIL_USER")

# A previous run (possibly on other ports) is stopped first: start is idempotent.
"$INTEROP_SRC/stop.sh" --quiet

busy=()
for p in "$LMTP_PORT" "$SMTP_PORT" "$SMTPS_PORT" "$SUBMISSION_PORT" "$POP3_PORT" "$IMAP_PORT" "$POP3S_PORT" "$IMAPS_PORT"; do
  if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then busy+=("$p"); fi
done
[ "${#busy[@]}" -eq 0 ] || die "port(s) ${busy[*]} already in use on this host: choose another --base"

umask 022
mkdir -p "$RUN_DIR" "$PF_CONF" "$PF_QUEUE" "$PF_DATA" "$DC_CONF" "$DC_BASE" "$LOG_DIR" "$TLS_DIR" "$(dirname "$TARGET_FILE")"
chmod 755 "$RUN_DIR"
chown root:root "$PF_QUEUE"
chown postfix:postfix "$PF_DATA"
chmod 700 "$PF_DATA"
echo "$base" > "$RUN_DIR/base"

# Self-signed certificate for STARTTLS and implicit TLS, made once per run dir.
if [ ! -s "$TLS_DIR/cert.pem" ] || [ ! -s "$TLS_DIR/key.pem" ]; then
  timeout 60 openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
    -subj "/CN=mail.$DOMAIN" -addext "subjectAltName=DNS:mail.$DOMAIN,DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" >/dev/null 2>&1 || die "openssl could not make a certificate"
  chmod 600 "$TLS_DIR/key.pem"
fi

render() { # render TEMPLATE OUTPUT
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@PF_CONF@|$PF_CONF|g" -e "s|@PF_QUEUE@|$PF_QUEUE|g" \
      -e "s|@PF_DATA@|$PF_DATA|g" -e "s|@DC_CONF@|$DC_CONF|g" -e "s|@DC_BASE@|$DC_BASE|g" \
      -e "s|@MAIL_DIR@|$MAIL_DIR|g" -e "s|@TLS_DIR@|$TLS_DIR|g" -e "s|@LOG_DIR@|$LOG_DIR|g" \
      -e "s|@DOMAIN@|$DOMAIN|g" -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@VMAIL_GID@|$VMAIL_GID|g" \
      -e "s|@SMTP_PORT@|$SMTP_PORT|g" -e "s|@SMTPS_PORT@|$SMTPS_PORT|g" -e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" \
      -e "s|@POP3_PORT@|$POP3_PORT|g" -e "s|@IMAP_PORT@|$IMAP_PORT|g" \
      -e "s|@POP3S_PORT@|$POP3S_PORT|g" -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" -e "s|@LMTP_PORT@|$LMTP_PORT|g" \
      "$INTEROP_SRC/templates/$1" > "$2"
  if grep -q '@[A-Z_]*@' "$2"; then die "unreplaced placeholder in $2: $(grep -o '@[A-Z_]*@' "$2" | head -1)"; fi
}
render postfix/main.cf.in "$PF_CONF/main.cf"
render postfix/master.cf.in "$PF_CONF/master.cf"
render dovecot/dovecot.conf.in "$DC_CONF/dovecot.conf"

# Users: Postfix maps address -> Maildir (relative to virtual_mailbox_base),
# Dovecot maps login -> password, uid/gid and home.
: > "$PF_CONF/vmailbox"
: > "$DC_CONF/users"
for entry in "${USERS[@]}"; do
  login="${entry%%:*}" password="${entry#*:}"
  echo "$login@$DOMAIN $login/" >> "$PF_CONF/vmailbox"
  echo "$login:$password:$VMAIL_UID:$VMAIL_GID::$MAIL_DIR/$login::" >> "$DC_CONF/users"
done
# The target's failing-recipient (suites/smtp/dsn.yaml failure reports, suites/lmtp): Postfix
# accepts it at RCPT and hands it to Dovecot's LMTP, where a quota of one byte refuses every
# message (552 5.2.2); Postfix then bounces it to the sender with a DSN. Not a target user.
FAILING_USER=full
echo "$FAILING_USER@$DOMAIN $FAILING_USER/" >> "$PF_CONF/vmailbox"
echo "$FAILING_USER@$DOMAIN lmtp:inet:127.0.0.1:$LMTP_PORT" > "$PF_CONF/transport"
echo "$FAILING_USER:$FAILING_USER-pw:$VMAIL_UID:$VMAIL_GID::$MAIL_DIR/$FAILING_USER::userdb_quota_rule=*:storage=1B" >> "$DC_CONF/users"
# Read by Dovecot's auth process, which runs as user dovecot.
chown root:dovecot "$DC_CONF/users"
chmod 640 "$DC_CONF/users"

# Empty Maildirs exist from the start, so POP3/IMAP logins work before any delivery.
"$INTEROP_SRC/reset-mail.sh" --create-only

# A half-started lane is stopped again, so the next start finds free ports.
fail() { "$INTEROP_SRC/stop.sh" --quiet || true; die "$@"; }
# "postfix start" runs "postfix check" itself (creating missing queue
# directories with the right owners) and fails on fatal findings.
timeout 30 postfix -c "$PF_CONF" start >"$LOG_DIR/postfix-start.log" 2>&1 \
  || { cat "$LOG_DIR/postfix-start.log" >&2; tail -20 "$LOG_DIR/postfix.log" >&2 2>/dev/null; fail "postfix did not start"; }
timeout 30 dovecot -c "$DC_CONF/dovecot.conf" >"$LOG_DIR/dovecot-start.log" 2>&1 \
  || { cat "$LOG_DIR/dovecot-start.log" >&2; tail -20 "$LOG_DIR/dovecot.log" >&2 2>/dev/null; fail "dovecot did not start"; }

if ! node "$INTEROP_SRC/probe-greeting.mjs" "${MAILCONFORM_INTEROP_WAIT:-30}" 127.0.0.1 \
    "smtp:$SMTP_PORT:plain:^220 " "smtps:$SMTPS_PORT:tls:^220 " "submission:$SUBMISSION_PORT:plain:^220 " \
    "pop3:$POP3_PORT:plain:^\\+OK" "imap:$IMAP_PORT:plain:^\\* OK" \
    "pop3s:$POP3S_PORT:tls:^\\+OK" "imaps:$IMAPS_PORT:tls:^\\* OK" "lmtp:$LMTP_PORT:plain:^220 "; then
  tail -20 "$LOG_DIR/postfix.log" "$LOG_DIR/dovecot.log" >&2 2>/dev/null || true
  fail "not every port answered in time (logs in $LOG_DIR)"
fi

# A mailconform target for the runner (shape: interop/targets/postfix-dovecot.yaml).
{
  echo "# Generated by interop/start.sh --base $base: Postfix + Dovecot on loopback."
  echo "# Submission $SUBMISSION_PORT (STARTTLS required, then AUTH) is the 'submission' endpoint;"
  echo "# SMTPS $SMTPS_PORT, POP3S $POP3S_PORT and IMAPS $IMAPS_PORT (implicit TLS, self-signed)."
  echo "name: postfix-dovecot"
  echo "host: 127.0.0.1"
  echo "domain: $DOMAIN"
  echo "smtp: { port: $SMTP_PORT, implicit-port: $SMTPS_PORT, failing-recipient: $FAILING_USER@$DOMAIN }"
  echo "pop3: { port: $POP3_PORT, implicit-port: $POP3S_PORT }"
  echo "imap: { port: $IMAP_PORT, implicit-port: $IMAPS_PORT }"
  echo "lmtp: { port: $LMTP_PORT, failing-recipient: $FAILING_USER@$DOMAIN }"
  # Postfix's submission service as the named endpoint suites/smtp/submission.yaml dials (as in postfix-submission.yaml).
  echo "submission: { port: $SUBMISSION_PORT, tls: starttls }"
  echo "insecure: true"
  echo "users:"
  for entry in "${USERS[@]}"; do
    login="${entry%%:*}" password="${entry#*:}"
    echo "  - { login: $login, password: $password, address: $login@$DOMAIN }"
  done
} > "$TARGET_FILE"

# The submission service as its own target (shape: interop/targets/postfix-submission.yaml, which is
# written for base 3000): STARTTLS is required before AUTH, so the endpoint is `tls: starttls`.
{
  echo "# Generated by interop/start.sh --base $base: Postfix's submission service (STARTTLS required, then AUTH)."
  echo "# For the AUTH tests: mailconform run --target <this file> --tag submission suites/smtp"
  echo "name: postfix-submission"
  echo "host: 127.0.0.1"
  echo "domain: $DOMAIN"
  echo "smtp: { port: $SUBMISSION_PORT, tls: starttls }"
  # The same service as the named endpoint that suites/smtp/submission.yaml dials, and Dovecot's POP3 to read back what it delivered.
  echo "submission: { port: $SUBMISSION_PORT, tls: starttls }"
  echo "pop3: { port: $POP3_PORT }"
  echo "insecure: true"
  echo "users:"
  for entry in "${USERS[@]}"; do
    login="${entry%%:*}" password="${entry#*:}"
    echo "  - { login: $login, password: $password, address: $login@$DOMAIN }"
  done
} > "$(dirname "$TARGET_FILE")/postfix-submission.yaml"

# Dovecot's LMTP also listens on its default Unix-domain socket in base_dir: a target that dials it there,
# for the lmtp suites: mailconform run --target <this file> suites/lmtp (RFC 2033 §5: local delivery).
sed -e "s|^name: postfix-dovecot|name: dovecot-lmtp-socket|" -e "s|^lmtp: { port: $LMTP_PORT|lmtp: { socket: $DC_BASE/lmtp|" \
  -e "s|^# Generated by interop/start.sh --base $base: .*|# Generated by interop/start.sh --base $base: Dovecot's LMTP on its Unix-domain socket.|" \
  "$TARGET_FILE" > "$(dirname "$TARGET_FILE")/dovecot-lmtp-socket.yaml"

cat <<EOT
mailconform interop lane is up (run dir $RUN_DIR):
  smtp        127.0.0.1:$SMTP_PORT   Postfix $(postconf -d -h mail_version), STARTTLS offered, no AUTH
  smtps       127.0.0.1:$SMTPS_PORT   the same smtpd, implicit TLS
  submission  127.0.0.1:$SUBMISSION_PORT   Postfix, STARTTLS required, AUTH PLAIN/LOGIN via Dovecot
  pop3        127.0.0.1:$POP3_PORT   Dovecot $(dovecot --version | cut -d' ' -f1), STLS offered
  imap        127.0.0.1:$IMAP_PORT   Dovecot, STARTTLS offered
  pop3s       127.0.0.1:$POP3S_PORT   implicit TLS
  imaps       127.0.0.1:$IMAPS_PORT   implicit TLS
  lmtp        127.0.0.1:$LMTP_PORT   Dovecot LMTP, delivering into the same Maildirs
  users       alice/alice-pw <alice@$DOMAIN>, bob/bob-pw <bob@$DOMAIN>
  maildirs    $MAIL_DIR/<login>/
  logs        $LOG_DIR/postfix.log $LOG_DIR/dovecot.log
  target      $TARGET_FILE
EOT

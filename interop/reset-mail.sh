#!/usr/bin/env bash
# Empties the interop lane's Maildirs (and Postfix's queue) so a test starts
# from a known state: each user gets a fresh, empty Maildir (new/ cur/ tmp/),
# which also drops Dovecot's index and UID list, so UIDVALIDITY changes.
# Run it with no POP3/IMAP session open. Usage: reset-mail.sh [--create-only]
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root
create_only=""
[ "${1:-}" = "--create-only" ] && create_only=1

id -u "$VMAIL_USER" >/dev/null 2>&1 || die "user $VMAIL_USER missing: run interop/setup.sh first"
mkdir -p "$MAIL_DIR"
chown "$VMAIL_USER:$VMAIL_USER" "$MAIL_DIR"
chmod 700 "$MAIL_DIR"

for entry in "${USERS[@]}"; do
  login="${entry%%:*}"
  box="$MAIL_DIR/$login"
  if [ -z "$create_only" ]; then rm -rf -- "$box"; fi
  mkdir -p "$box/new" "$box/cur" "$box/tmp"
  chown -R "$VMAIL_USER:$VMAIL_USER" "$box"
  chmod -R u+rwX,go-rwx "$box"
done

# Mail still queued (deferred, bounces) would arrive after the reset.
if [ -z "$create_only" ] && [ -f "$PF_CONF/main.cf" ] && [ -d "$PF_QUEUE" ]; then
  timeout 30 postsuper -c "$PF_CONF" -d ALL >/dev/null 2>&1 || true
fi
[ -n "$create_only" ] || log "mail reset: empty Maildirs for ${USERS[*]%%:*} under $MAIL_DIR"

#!/usr/bin/env bash
# Empties the further servers' mailboxes so a run starts from a known state:
# Cyrus gets a fresh mailbox database and spool (master restarted; INBOXes
# come back on first use), Mailutils fresh empty mbox files, and both the LMTP
# Postfix's and OpenSMTPD's queues are dropped. OpenSMTPD's mail lives in the
# first Dovecot's Maildirs: ../reset-mail.sh empties those.
# Run it with no POP3/IMAP session open. Usage: reset-mail.sh
set -euo pipefail
. "$(dirname "$0")/all.sh"
new_ports_from_base "$(cat "$RUN_DIR/base" 2>/dev/null || echo 3000)"

lmtp_pf_reset
smtpd_reset
[ ! -d "$MU_MAIL" ] || mu_reset
if [ -f "$CYRUS_CONF" ]; then
  cyrus_reset
  if [ -n "$(live_pid "$CYRUS_PIDFILE")" ]; then
    mapfile -t probes < <(cyrus_probes)
    node "$INTEROP_SRC/probe-greeting.mjs" "${MAILCONFORM_INTEROP_WAIT:-30}" 127.0.0.1 "${probes[@]}" \
      || die "Cyrus did not come back after the reset (see $SYSLOG_FILE)"
  fi
fi
log "mail reset: Cyrus, Mailutils, queues of the LMTP Postfix and OpenSMTPD"

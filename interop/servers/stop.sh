#!/usr/bin/env bash
# Stops the lane's further servers (Cyrus, the LMTP Postfix, OpenSMTPD,
# Mailutils) and the syslog listener if this lane started it, each by the pid
# it recorded: an orderly stop, a bounded wait, then SIGKILL. Never touches
# the first Postfix + Dovecot (../stop.sh) or any system service. Safe to run
# when nothing runs. Usage: stop.sh [--quiet]
set -euo pipefail
. "$(dirname "$0")/all.sh"
if [ "${1:-}" = "--quiet" ]; then log() { :; }; fi

# The Postfix first: it must not hold a delivery to a Cyrus going away.
lmtp_pf_stop
smtpd_stop
mu_stop
cyrus_stop
syslog_stop

# Session processes outlive a master killed hard: they are ours when the
# program is one of these servers and its command line names our run dir
# (Cyrus, Mailutils and OpenSMTPD children keep their parent's arguments).
leftover=()
for proc in /proc/[0-9]*; do
  exe=$(readlink "$proc/exe" 2>/dev/null) || continue
  case "$exe" in
    "$PKG_ROOT"/*|"$CYRUS_BIN"/*) ;;
    *) continue ;;
  esac
  tr '\0' ' ' < "$proc/cmdline" 2>/dev/null | grep -qF -- "$RUN_DIR/" && leftover+=("${proc#/proc/}")
done
if [ "${#leftover[@]}" -gt 0 ]; then
  log "killing leftover processes: ${leftover[*]}"
  kill -KILL "${leftover[@]}" 2>/dev/null || true
fi
log "further servers stopped"

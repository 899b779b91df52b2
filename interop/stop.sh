#!/usr/bin/env bash
# Stops the interop lane's Postfix and Dovecot instances (never the system
# ones): an orderly stop first, a bounded wait, then SIGKILL. Safe to run when
# nothing is running. Mail and configs stay in the run directory.
# Usage: stop.sh [--quiet]
set -euo pipefail
. "$(dirname "$0")/common.sh"
need_root
quiet=""
[ "${1:-}" = "--quiet" ] && quiet=1
say() { [ -n "$quiet" ] || log "$@"; }

read_pid() { # read_pid FILE -> a live pid on stdout, or nothing
  local pid
  [ -f "$1" ] || return 0
  pid=$(tr -dc '0-9' < "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

# Both are asked at once (Dovecot's master takes ~3 s to reap its children),
# then each gets a bounded wait before the hard way.
# Postfix: "postfix stop" asks master(8) to end; "abort" ends it at once.
# Dovecot: SIGTERM to the master ends it and (shutdown_clients = yes) its children.
pf_pid=$(read_pid "$PF_QUEUE/pid/master.pid")
dc_pid=$(read_pid "$DC_BASE/master.pid")
if [ -n "$pf_pid" ]; then
  say "stopping Postfix (master pid $pf_pid)"
  timeout 20 postfix -c "$PF_CONF" stop >/dev/null 2>&1 || kill -TERM "$pf_pid" 2>/dev/null || true
fi
if [ -n "$dc_pid" ]; then
  say "stopping Dovecot (master pid $dc_pid)"
  kill -TERM "$dc_pid" 2>/dev/null || true
fi
if [ -n "$pf_pid" ] && ! wait_gone "$pf_pid" 15; then
  say "Postfix still running after 15 s: aborting"
  timeout 10 postfix -c "$PF_CONF" abort >/dev/null 2>&1 || true
  wait_gone "$pf_pid" 5 || kill -KILL "$pf_pid" 2>/dev/null || true
fi
if [ -n "$dc_pid" ] && ! wait_gone "$dc_pid" 15; then
  say "Dovecot still running after 15 s: killing"
  kill -KILL "$dc_pid" 2>/dev/null || true
fi
[ -n "$pf_pid$dc_pid" ] || say "nothing was running"

# Children whose master died hard (SIGKILL above) may still hold ports. They
# are ours when both hold: the program is Postfix's or Dovecot's, and the
# working directory lies in our run directory (Postfix children work in the
# queue directory, Dovecot's in base_dir or a user's home).
leftover=()
for proc in /proc/[0-9]*; do
  exe=$(readlink "$proc/exe" 2>/dev/null) || continue
  case "$exe" in
    /usr/lib/postfix/sbin/*|/usr/sbin/dovecot|/usr/lib/dovecot/*) ;;
    *) continue ;;
  esac
  cwd=$(readlink "$proc/cwd" 2>/dev/null) || continue
  case "$cwd" in
    "$RUN_DIR"/*) leftover+=("${proc#/proc/}") ;;
  esac
done
if [ "${#leftover[@]}" -gt 0 ]; then
  say "killing leftover processes: ${leftover[*]}"
  kill -KILL "${leftover[@]}" 2>/dev/null || true
fi
say "stopped"

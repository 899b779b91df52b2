#!/usr/bin/env bash
# `npm run interop`: every suite against real Postfix + Dovecot (with the known
# deviations in interop/expectations/), the AUTH tests against Postfix's
# submission service, every suite against the further lane servers (Cyrus,
# OpenSMTPD, Mailutils: interop/servers/), and every suite against the
# reference server; then interop/RESULTS.md, the server × protocol table.
# Installs what is missing (setup.sh), starts its OWN lane (run dir and ports
# below, so a lane someone started by hand on the default base keeps running),
# empties its mailboxes, runs, writes reports into reports/interop/, stops the
# lane (also on error or Ctrl-C), and exits non-zero on any unexplained failure.
# Needs root (apt-get, daemons). Env: MAILCONFORM_INTEROP_DIR (default
# /tmp/mc-interop-run), MAILCONFORM_INTEROP_BASE (default 24000),
# MAILCONFORM_INTEROP_MORE (the further servers to run, default
# "cyrus opensmtpd mailutils"; empty: none), MAILCONFORM_INTEROP_GATING and
# MAILCONFORM_INTEROP_GATE_MORE (see below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
export MAILCONFORM_INTEROP_DIR="${MAILCONFORM_INTEROP_DIR:-/tmp/mc-interop-run}"
base="${MAILCONFORM_INTEROP_BASE:-24000}"
out="$root/reports/interop"
target="$MAILCONFORM_INTEROP_DIR/targets/postfix-dovecot.yaml"
# Written by start.sh next to $target with this lane's submission port.
submission="$MAILCONFORM_INTEROP_DIR/targets/postfix-submission.yaml"
mailconform=(node "$root/bin/mailconform.js")

# Issue 12 §2: each further server gates (an unexplained failure fails this
# script, like Postfix + Dovecot) once its run is clean: every failure a listed
# deviation of expectations/<server>.yaml (interop/TRIAGE.md says why). The
# others run in REPORTING mode: their failures are counted and listed in
# interop/RESULTS.md but do not fail this script. MAILCONFORM_INTEROP_GATING
# names the gating ones (default: those that are clean); "" makes all report;
# MAILCONFORM_INTEROP_GATE_MORE=1 makes all gate. Postfix + Dovecot and the
# reference server gate always.
more="${MAILCONFORM_INTEROP_MORE-cyrus opensmtpd mailutils}"
gating="${MAILCONFORM_INTEROP_GATING-cyrus opensmtpd mailutils}"
if [ "${MAILCONFORM_INTEROP_GATE_MORE:-0}" = 1 ]; then gating="$more"; fi
read -r -a more_servers <<< "$more"
gates() { [[ " $gating " == *" $1 "* ]]; }

stop_lane() {
  if [ "${#more_servers[@]}" -gt 0 ]; then bash "$here/servers/stop.sh" --quiet || echo "interop: stopping the further servers failed" >&2; fi
  bash "$here/stop.sh" --quiet || echo "interop: stopping the lane failed" >&2
}

status=0
# A further server that cannot be installed or started is reported (RESULTS.md:
# "no report") and the other runs go on; that fails this script when one of the
# servers concerned ($2, default all further servers) gates.
more_failed() {
  local s gated=0
  for s in ${2:-${more_servers[*]}}; do if gates "$s"; then gated=1; fi; done
  echo "interop: $1 (further servers; $([ "$gated" = 1 ] && echo gating || echo 'reporting mode, not gating'))" >&2
  if [ "$gated" = 1 ] && [ "$status" -eq 0 ]; then status=1; fi
  more_servers_run=()
}
more_servers_run=("${more_servers[@]}")

bash "$here/setup.sh"
if [ "${#more_servers[@]}" -gt 0 ]; then bash "$here/servers/setup.sh" || more_failed "setup failed"; fi
trap stop_lane EXIT
bash "$here/start.sh" --base "$base"
if [ "${#more_servers_run[@]}" -gt 0 ]; then
  bash "$here/servers/start.sh" --base "$base" "${more_servers[@]}" || more_failed "start failed"
fi
bash "$here/reset-mail.sh"
mkdir -p "$out"
# name|mode|report|protocol=software... for results-table.ts, one per run.
results=(
  "postfix-dovecot|gating|$out/postfix-dovecot.json|smtp=Postfix 3.7|lmtp=Dovecot 2.3 LMTP|pop3=Dovecot 2.3|imap=Dovecot 2.3"
  "postfix-submission|gating|$out/postfix-submission.json|smtp=Postfix 3.7 (submission, STARTTLS then AUTH)"
)

echo "== suites against Postfix + Dovecot ($target)"
"${mailconform[@]}" run --target "$target" \
  --expect-deviations "$here/expectations/postfix.yaml" \
  --expect-deviations "$here/expectations/dovecot.yaml" \
  --report-json "$out/postfix-dovecot.json" --report-junit "$out/postfix-dovecot.junit.xml" \
  "$root/suites" || status=$?
echo "== AUTH tests against Postfix's submission service ($submission)"
"${mailconform[@]}" run --target "$submission" --tag submission \
  --expect-deviations "$here/expectations/postfix.yaml" \
  --report-json "$out/postfix-submission.json" --report-junit "$out/postfix-submission.junit.xml" \
  "$root/suites/smtp" || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }
# The further servers, one target each (written by servers/start.sh), each
# with the suites its endpoints serve. Mail is emptied before each.
for server in "${more_servers[@]}"; do
  mode=reporting
  if gates "$server"; then mode=gating; fi
  rm -f "$out/$server.json"   # never a stale report in RESULTS.md
  expect=(--expect-deviations "$here/expectations/$server.yaml")
  case "$server" in
    cyrus)
      paths=("$root/suites")
      expect+=(--expect-deviations "$here/expectations/postfix.yaml")
      results+=("cyrus|$mode|$out/cyrus.json|smtp=Postfix 3.7 → LMTP → Cyrus 3.6|lmtp=Cyrus 3.6 lmtpd|pop3=Cyrus 3.6|imap=Cyrus 3.6") ;;
    opensmtpd)
      paths=("$root/suites/smtp")
      results+=("opensmtpd|$mode|$out/opensmtpd.json|smtp=OpenSMTPD 6.8 → Maildir (Dovecot 2.3)") ;;
    mailutils)
      # Its SMTP front is the Postfix the cyrus row already measures.
      paths=("$root/suites/pop3" "$root/suites/imap")
      results+=("mailutils|$mode|$out/mailutils.json|pop3=GNU Mailutils 3.15 pop3d|imap=GNU Mailutils 3.15 imap4d") ;;
    *) echo "interop: unknown further server '$server'" >&2; exit 2 ;;
  esac
  [[ " ${more_servers_run[*]} " == *" $server "* ]] || continue
  if ! { bash "$here/reset-mail.sh" && bash "$here/servers/reset-mail.sh"; }; then
    more_failed "emptying the mailboxes before $server failed" "$server"
    continue
  fi
  echo "== suites against $server ($MAILCONFORM_INTEROP_DIR/targets/$server.yaml, $mode)"
  rc=0
  "${mailconform[@]}" run --target "$MAILCONFORM_INTEROP_DIR/targets/$server.yaml" "${expect[@]}" \
    --report-json "$out/$server.json" --report-junit "$out/$server.junit.xml" "${paths[@]}" || rc=$?
  if [ "$mode" = gating ] && [ "$status" -eq 0 ]; then status=$rc; fi
  if [ "$mode" = reporting ] && [ "$rc" -ne 0 ]; then echo "interop: $server: exit $rc (reporting mode, issue 12: not gating)"; fi
done

echo "== suites against the reference server"
"${mailconform[@]}" run \
  --report-json "$out/reference.json" --report-junit "$out/reference.junit.xml" \
  "$root/suites" || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }

results+=("reference|gating|$out/reference.json|smtp=mailconform reference server|lmtp=mailconform reference server|pop3=mailconform reference server|imap=mailconform reference server")
table_args=(--out "$here/RESULTS.md")
for r in "${results[@]}"; do table_args+=(--server "$r"); done
node --import=tsx "$here/results-table.ts" "${table_args[@]}" \
  || { echo "interop: writing RESULTS.md failed" >&2; [ "$status" -ne 0 ] || status=2; }

if [ "$status" -ne 0 ]; then
  echo "interop: unexplained failures (exit $status); reports in $out" >&2
else
  echo "interop: no unexplained failures; reports in $out"
fi
exit "$status"

#!/usr/bin/env bash
# `npm run interop`: every suite against real Postfix + Dovecot (with the known
# deviations in interop/expectations/), the AUTH tests against Postfix's
# submission service, and every suite against the reference server.
# Installs what is missing (setup.sh), starts its OWN lane (run dir and ports
# below, so a lane someone started by hand on the default base keeps running),
# empties its mailboxes, runs, writes reports into reports/interop/, stops the
# lane (also on error or Ctrl-C), and exits non-zero on any unexplained failure.
# Needs root (apt-get, daemons). Env: MAILCONFORM_INTEROP_DIR (default
# /tmp/mc-interop-run), MAILCONFORM_INTEROP_BASE (default 24000).
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

stop_lane() { bash "$here/stop.sh" --quiet || echo "interop: stopping the lane failed" >&2; }

bash "$here/setup.sh"
trap stop_lane EXIT
bash "$here/start.sh" --base "$base"
bash "$here/reset-mail.sh"
mkdir -p "$out"

status=0
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
echo "== suites against the reference server"
"${mailconform[@]}" run \
  --report-json "$out/reference.json" --report-junit "$out/reference.junit.xml" \
  "$root/suites" || { rc=$?; [ "$status" -ne 0 ] || status=$rc; }

if [ "$status" -ne 0 ]; then
  echo "interop: unexplained failures (exit $status); reports in $out" >&2
else
  echo "interop: no unexplained failures; reports in $out"
fi
exit "$status"

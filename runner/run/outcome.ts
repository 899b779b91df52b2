// The summary and exit code of a run, as pure functions of its results.
//   0 every test passed (skips allowed)     1 conformance failures or errors
//   2 invalid suite or usage (decided before a run)
//   3 target unreachable: every protocol the selection needs failed its probe
//   4 nothing matched: the selection, or what the target can serve, is empty
//   130 / 143 interrupted by SIGINT / SIGTERM, whatever the results and the gate
// A run-error (our bug, or a broken reporter) never lets a run exit 0, nor
// does a run stopped before its end (a caller's abort without a signal: 1).
// Expected deviations (--expect-deviations) count apart and never fail a run.

import { summarize, type ExitCode, type Interruption, type Summary } from "../model/result.ts";

export { summarize };

export interface OutcomeFacts {
  summary: Summary;
  /** Protocols probed, and how many the probe found unreachable (a probe that crashed is our bug, not counted). */
  probed: number;
  unreachable: number;
  /** Tests that needed only endpoints the target has. */
  servable: number;
  runErrors: number;
  /** The run was stopped before its selection was done. */
  interrupted?: Interruption;
}

/** 128 + the signal's number: what a shell reports for a process the signal ended. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const satisfies Record<NonNullable<Interruption["signal"]>, ExitCode>;

export function exitCodeFor(f: OutcomeFacts): ExitCode {
  if (f.interrupted?.signal) return SIGNAL_EXIT_CODES[f.interrupted.signal];
  const code = resultsExitCode(f);
  return code === 0 && f.interrupted ? 1 : code;
}

function resultsExitCode(f: OutcomeFacts): ExitCode {
  if (f.probed > 0 && f.unreachable === f.probed) return 3;
  if (f.summary.failed > 0 || f.summary.errors > 0 || f.runErrors > 0) return 1;
  if (f.servable === 0) return 4;
  return 0;
}

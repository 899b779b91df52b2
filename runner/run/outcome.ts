// The summary and exit code of a run, as pure functions of its results.
//   0 every test passed (skips allowed)     1 conformance failures or errors
//   2 invalid suite or usage (decided before a run)
//   3 target unreachable: every protocol the selection needs failed its probe
//   4 nothing matched: the selection, or what the target can serve, is empty
// A run-error (our bug, or a broken reporter) never lets a run exit 0.
// Expected deviations (--expect-deviations) count apart and never fail a run.

import { isExpectedDeviation, type ExitCode, type Summary, type TestResult } from "../model/result.ts";

export function summarize(results: readonly TestResult[]): Summary {
  const count = (s: TestResult["status"]) => results.filter((r) => r.status === s && !isExpectedDeviation(r)).length;
  const deviations = results.filter(isExpectedDeviation).length;
  return {
    total: results.length,
    passed: count("passed"),
    failed: count("failed"),
    skipped: count("skipped"),
    errors: count("error"),
    ...(deviations > 0 ? { deviations } : {}),
  };
}

export interface OutcomeFacts {
  summary: Summary;
  /** Protocols probed, and how many the probe found unreachable (a probe that crashed is our bug, not counted). */
  probed: number;
  unreachable: number;
  /** Tests that needed only endpoints the target has. */
  servable: number;
  runErrors: number;
}

export function exitCodeFor(f: OutcomeFacts): ExitCode {
  if (f.probed > 0 && f.unreachable === f.probed) return 3;
  if (f.summary.failed > 0 || f.summary.errors > 0 || f.runErrors > 0) return 1;
  if (f.servable === 0) return 4;
  return 0;
}

// The CI gate's verdict on a run: what counted as failing (--fail-on), the
// weighted score against --min-score, and the comparison with a baseline
// report (regressions, fixes). Decided by runner/gate/ before run-end, so
// reporters show it and derive nothing. Types, and the one table of which
// levels each --fail-on fails.

import type { Level } from "./ast.ts";
import type { ExitCode } from "./result.ts";
import type { TestStatus } from "./failure.ts";

export type FailOn = "must" | "should" | "any";

/** The levels whose failures fail the run under each --fail-on. */
export const FAIL_ON_LEVELS: Record<FailOn, readonly Level[]> = {
  must: ["MUST"],
  should: ["MUST", "SHOULD"],
  any: ["MUST", "SHOULD", "MAY"],
};

export interface StatusChange {
  id: string;
  level: Level;
  before: TestStatus;
  now: TestStatus;
}

export interface GateVerdict {
  failOn: FailOn;
  /** Weighted score in percent (MUST 3, SHOULD 1, MAY 0), one decimal; absent when nothing was scored. */
  score?: number;
  minScore?: number;
  /** The baseline report it was compared with, as given. */
  baseline?: string;
  /** Passed in the baseline, failed or errored now. */
  regressions: StatusChange[];
  /** Failed or errored in the baseline, passed now. */
  fixes: StatusChange[];
  /** Only regressions decide (--fail-on-regression). */
  regressionsOnly: boolean;
  /** The exit code the run would have had without the gate, and the one it has. */
  ungatedExitCode: ExitCode;
  exitCode: ExitCode;
  /** Why the gate failed the run (empty when it passed). */
  reasons: string[];
}

// The CI gate: turns a run's results into its final exit code under
// --fail-on (which levels fail the run), --min-score (weighted score floor)
// and --baseline / --fail-on-regression (compare with a previous report).
// Applied by the orchestrator just before run-end, so the verdict travels in
// the event and every reporter shows the same decision. Exit codes 2, 3 and 4
// (bad input, unreachable, nothing matched) are never overridden: a gate
// cannot turn "server down" into a pass.
// Standards: RFC 2119 (levels).

import { FAIL_ON_LEVELS, type FailOn, type GateVerdict, type StatusChange } from "../model/gate.ts";
import { isExpectedDeviation, type ExitCode, type TestResult } from "../model/result.ts";
import { scoreResults } from "../profile/score.ts";
import { EVERYTHING, type Profile } from "../profile/profile.ts";
import type { Baseline } from "./baseline.ts";

export interface GateOptions {
  failOn: FailOn;
  minScore?: number;
  baseline?: Baseline;
  failOnRegression: boolean;
  /** Weights for the score; default MUST 3, SHOULD 1, MAY 0. */
  profile?: Pick<Profile, "weights" | "unadvertised">;
}

// The table lives in model/ so reporters (GitHub annotations) apply the same rule; re-exported for old importers.
export { FAIL_ON_LEVELS };

const bad = (s: string) => s === "failed" || s === "error";

export function compareWithBaseline(results: readonly TestResult[], baseline: Baseline): { regressions: StatusChange[]; fixes: StatusChange[] } {
  const regressions: StatusChange[] = [];
  const fixes: StatusChange[] = [];
  for (const r of [...results].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const before = baseline.tests.get(r.id);
    if (!before) continue;
    const change = { id: r.id, level: r.level, before: before.status, now: r.status };
    if (before.status === "passed" && bad(r.status)) regressions.push(change);
    else if (bad(before.status) && r.status === "passed") fixes.push(change);
  }
  return { regressions, fixes };
}

export function applyGate(options: GateOptions, results: readonly TestResult[], ungated: ExitCode, runErrors: number): GateVerdict {
  const score = scoreResults(results, options.profile ?? EVERYTHING).percent;
  const { regressions, fixes } = options.baseline ? compareWithBaseline(results, options.baseline) : { regressions: [], fixes: [] };
  const reasons: string[] = [];
  if (options.failOnRegression) {
    if (regressions.length > 0) reasons.push(`${regressions.length} regression${regressions.length === 1 ? "" : "s"} against ${options.baseline?.file ?? "the baseline"}`);
  } else {
    const levels = FAIL_ON_LEVELS[options.failOn];
    // A listed deviation is reported apart and never fails the run (model/result.ts), at any level.
    const failing = results.filter((r) => bad(r.status) && levels.includes(r.level) && !isExpectedDeviation(r));
    if (failing.length > 0) {
      reasons.push(`${failing.length} ${levels.join("/")} test${failing.length === 1 ? "" : "s"} failed (--fail-on ${options.failOn})`);
    }
  }
  if (options.minScore !== undefined && (score ?? 0) < options.minScore) {
    reasons.push(`score ${score === undefined ? "n/a" : `${score}%`} is below --min-score ${options.minScore}%`);
  }
  if (runErrors > 0) reasons.push(`${runErrors} run error${runErrors === 1 ? "" : "s"} (a runner or reporter bug)`);
  const exitCode: ExitCode = ungated === 0 || ungated === 1 ? (reasons.length > 0 ? 1 : 0) : ungated;
  return {
    failOn: options.failOn,
    ...(score !== undefined ? { score } : {}),
    ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
    ...(options.baseline ? { baseline: options.baseline.file } : {}),
    regressions,
    fixes,
    regressionsOnly: options.failOnRegression,
    ungatedExitCode: ungated,
    exitCode,
    reasons,
  };
}

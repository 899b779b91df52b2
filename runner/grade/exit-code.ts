// The exit code of a graded class, for CI (README "Grading"):
//   0   every target graded, whatever its score or reachability
//   1   a target incomplete: the runner could not finish it (its time budget, a runner error)
//   3   with failOnUnreachable: a target unreachable, wholly or in part
//   130 / 143  the grading was interrupted by SIGINT / SIGTERM (the scoreboard is still written)
// (2 and 4, a bad targets file or profile and a profile selecting nothing, are decided before any target runs.)
// Standards: POSIX signal exit status (128 + n).

import type { TargetGrade } from "../model/grade.ts";
import type { ExitCode } from "../model/result.ts";
import { interruptSignal } from "../run/interrupt.ts";
import { SIGNAL_EXIT_CODES } from "../run/outcome.ts";

export function classExitCode(targets: readonly TargetGrade[], options: { failOnUnreachable?: boolean; signal?: AbortSignal }): ExitCode {
  const signal = interruptSignal(options.signal);
  if (signal) return SIGNAL_EXIT_CODES[signal];
  if (targets.some((t) => t.status === "incomplete")) return 1;
  if (options.failOnUnreachable && targets.some((t) => t.status === "unreachable" || t.status === "partly-unreachable")) return 3;
  return 0;
}

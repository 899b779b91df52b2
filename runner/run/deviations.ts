// Marks a finished test's result with its entry from the expectations files:
// a failure becomes an expected deviation (its status and failure kept, so
// every report still shows what happened), a pass of a listed test becomes
// "deviation fixed" — a warning that the file no longer tells the truth.
// Standards: none (runner semantics).

import type { TestResult } from "../model/result.ts";
import type { DeviationEntry } from "../suite/deviations.ts";

export function applyDeviation(result: TestResult, entries: ReadonlyMap<string, DeviationEntry>, display: (file: string) => string): TestResult {
  const entry = entries.get(result.id);
  if (entry === undefined || result.status === "skipped") return result;
  const source = `${display(entry.file)}:${entry.line}:${entry.col}`;
  const fixed = result.status === "passed";
  const warnings = fixed
    ? [...result.warnings, `deviation fixed: listed in ${source} as an expected deviation (${entry.ref}), but the test passed; remove the entry`]
    : result.warnings;
  return { ...result, warnings, deviation: { ref: entry.ref, reason: entry.reason, source, fixed } };
}

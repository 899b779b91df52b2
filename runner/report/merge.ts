// Shard reports back into one event stream: the JSON reports of `run --shard
// i/n` (runner/schema/report.schema.json) become run-begin, a test-begin /
// test-end per test in id order, run-errors and run-end — which the existing
// reporters then turn into one JSON, JUnit and Allure set, exactly as if the
// run had not been split. Checks that the shards fit together first. A shard
// set with shards missing, or with shards that were interrupted, is marked
// incomplete and exits 5 (EXIT_INCOMPLETE) unless the caller allows it.
// Standards: none (report format).

import path from "node:path";
import { EVENT_VERSION, type PlannedTest, type RunEvent } from "../model/events.ts";
import { summarize, type ExitCode, type Incompleteness, type Interruption, type Summary, type TestResult } from "../model/result.ts";
import type { RunStats } from "../model/stats.ts";
import { byId } from "./format/order.ts";

type RunBegin = Extract<RunEvent, { type: "run-begin" }>;

/** A JSON report as `run --report-json` writes it; paths are relative to the directory it was run in. */
export interface ShardReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  exitCode: ExitCode;
  shard?: { index: number; total: number };
  summary: Summary;
  target: RunBegin["target"];
  tests: TestResult[];
  runErrors: { message: string; stack?: string }[];
  interrupted?: Interruption;
  incomplete?: Incompleteness;
}

/** The merged report lacks shards (missing, or interrupted) and the caller did not allow it. */
export const EXIT_INCOMPLETE = 5;

export interface MergeOptions {
  /** --allow-missing: a partial shard set exits by its results (the report is still marked incomplete). */
  allowMissing?: boolean;
}

export class MergeError extends Error {}

/** What every shard set must satisfy; warnings (differing shardings or targets) are returned, not thrown. */
export function checkShards(reports: readonly { file: string; report: ShardReport }[]): string[] {
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const { file, report } of reports) {
    if (report.version !== 1 || !Array.isArray(report.tests) || typeof report.summary !== "object") {
      throw new MergeError(`${file}: not a mailconform JSON report (version 1 with 'tests' and 'summary')`);
    }
    for (const t of report.tests) {
      const first = seen.get(t.id);
      if (first !== undefined) throw new MergeError(`${file}: test ${t.id} is also in ${first}; were the same shard's reports given twice?`);
      seen.set(t.id, file);
    }
  }
  const totals = new Set(reports.map((r) => r.report.shard?.total).filter((n) => n !== undefined));
  // Missing and interrupted shards are not a warning but the merged report's `incomplete` mark (incompleteness below).
  if (totals.size > 1) warnings.push(`the reports come from different shardings (${[...totals].join(", ")} shards)`);
  const names = new Set(reports.map((r) => `${r.report.target.name} (${r.report.target.host})`));
  if (names.size > 1) warnings.push(`the shards ran against different targets: ${[...names].join(", ")}; the merged report names the first`);
  return warnings;
}

/** Shards of one sharding with no report, or whose run was interrupted (a cancelled CI job); undefined when the set is whole. */
export function incompleteness(reports: readonly ShardReport[]): Incompleteness | undefined {
  const totals = new Set(reports.map((r) => r.shard?.total).filter((n) => n !== undefined));
  const missing: string[] = [];
  if (totals.size === 1) {
    const total = [...totals][0]!;
    const have = new Set(reports.map((r) => r.shard?.index));
    for (let i = 1; i <= total; i++) if (!have.has(i)) missing.push(`${i}/${total}`);
  }
  const interrupted = reports.filter((r) => r.shard && r.interrupted).map((r) => `${r.shard!.index}/${r.shard!.total}`);
  if (missing.length === 0 && interrupted.length === 0) return undefined;
  const parts = [
    ...(missing.length > 0 ? [`shard${missing.length === 1 ? "" : "s"} ${missing.join(", ")} missing`] : []),
    ...(interrupted.length > 0 ? [`shard${interrupted.length === 1 ? "" : "s"} ${interrupted.join(", ")} interrupted`] : []),
  ];
  return { message: `incomplete: ${parts.join("; ")}`, ...(missing.length > 0 ? { missingShards: missing } : {}), ...(interrupted.length > 0 ? { interruptedShards: interrupted } : {}) };
}

/**
 * The merged run's exit code by the orchestrator's rules (run/outcome.ts):
 * an incomplete shard set first (5, unless allowed), a part interrupted by a
 * signal (its code: parts of one grading run), failures, unreachable only
 * when every shard was, then nothing run. A part that did not pass never
 * lets the merge pass.
 */
export function mergedExitCode(reports: readonly ShardReport[], summary: Summary, runErrors: number, incomplete?: Incompleteness, options: MergeOptions = {}): ExitCode {
  if (incomplete && !options.allowMissing) return EXIT_INCOMPLETE;
  const signalled = reports.find((r) => r.interrupted?.signal && !r.shard)?.interrupted?.signal;
  if (signalled) return signalled === "SIGINT" ? 130 : 143;
  if (summary.failed > 0 || summary.errors > 0 || runErrors > 0) return 1;
  if (reports.length > 0 && reports.every((r) => r.exitCode === 3)) return 3;
  if (reports.some((r) => r.exitCode !== 0 && r.exitCode !== 3 && r.exitCode !== 4)) return 1;
  if (summary.total === 0 || reports.every((r) => r.exitCode === 4)) return 4;
  return 0;
}

/** The merged run is interrupted when a part was: the not-run tests are the merged summary's. */
function mergedInterruption(reports: readonly ShardReport[], summary: Summary): Interruption | undefined {
  const parts = reports.filter((r) => r.interrupted);
  if (parts.length === 0) return undefined;
  const signal = parts.find((r) => r.interrupted!.signal)?.interrupted!.signal;
  return { ...(signal ? { signal } : {}), message: `interrupted${signal ? ` by ${signal}` : ""}: ${summary.notRun ?? 0} of ${summary.total} tests not run` };
}

/** Paths in a report are relative to where it ran; the merge resolves them against `cwd`. */
function absolute(result: TestResult, cwd: string): TestResult {
  const abs = (f: string) => path.resolve(cwd, f);
  return { ...result, file: abs(result.file), ...(result.failure ? { failure: { ...result.failure, position: { ...result.failure.position, file: abs(result.failure.position.file) } } } : {}) };
}

export function mergeEvents(reports: readonly ShardReport[], cwd: string, stats?: (results: TestResult[]) => RunStats, options: MergeOptions = {}): RunEvent[] {
  if (reports.length === 0) throw new MergeError("no reports to merge");
  const results = reports.flatMap((r) => r.tests.map((t) => absolute(t, cwd))).sort(byId);
  const started = Math.min(...reports.map((r) => Date.parse(r.startedAt)));
  const finished = Math.max(...reports.map((r) => Date.parse(r.finishedAt)));
  const plan: PlannedTest[] = results.map((r) => ({ id: r.id, title: r.title, protocol: r.protocol, file: r.file }));
  const events: RunEvent[] = [{ type: "run-begin", version: EVENT_VERSION, startedAt: new Date(started).toISOString(), target: reports[0]!.target, plan }];
  const left = new Map<string, number>();
  for (const r of results) left.set(r.file, (left.get(r.file) ?? 0) + 1);
  const begun = new Set<string>();
  for (const r of results) {
    if (!begun.has(r.file)) {
      begun.add(r.file);
      events.push({ type: "file-begin", file: r.file });
    }
    events.push({ type: "test-begin", id: r.id }, { type: "test-end", result: r });
    const n = left.get(r.file)! - 1;
    left.set(r.file, n);
    if (n === 0) events.push({ type: "file-end", file: r.file });
  }
  const runErrors = reports.flatMap((r) => r.runErrors ?? []);
  for (const e of runErrors) events.push({ type: "run-error", message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
  const summary = summarize(results);
  const incomplete = incompleteness(reports);
  const interrupted = mergedInterruption(reports, summary);
  events.push({
    type: "run-end",
    summary,
    exitCode: mergedExitCode(reports, summary, runErrors.length, incomplete, options),
    durationMs: Math.max(0, finished - started),
    finishedAt: new Date(finished).toISOString(),
    ...(stats ? { stats: stats(results) } : {}),
    ...(interrupted ? { interrupted } : {}),
    ...(incomplete ? { incomplete } : {}),
  });
  return events;
}

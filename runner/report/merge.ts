// Shard reports back into one event stream: the JSON reports of `run --shard
// i/n` (runner/schema/report.schema.json) become run-begin, a test-begin /
// test-end per test in id order, run-errors and run-end — which the existing
// reporters then turn into one JSON, JUnit and Allure set, exactly as if the
// run had not been split. Checks that the shards fit together first.
// Standards: none (report format).

import path from "node:path";
import { EVENT_VERSION, type PlannedTest, type RunEvent } from "../model/events.ts";
import type { ExitCode, Summary, TestResult } from "../model/result.ts";
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
}

export class MergeError extends Error {}

/** What every shard set must satisfy; warnings (a missing shard, differing targets) are returned, not thrown. */
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
  if (totals.size > 1) warnings.push(`the reports come from different shardings (${[...totals].join(", ")} shards)`);
  if (totals.size === 1) {
    const total = [...totals][0]!;
    const have = new Set(reports.map((r) => r.report.shard?.index));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length > 0) warnings.push(`shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${total}`).join(", ")} missing: the merged report is incomplete`);
  }
  const names = new Set(reports.map((r) => `${r.report.target.name} (${r.report.target.host})`));
  if (names.size > 1) warnings.push(`the shards ran against different targets: ${[...names].join(", ")}; the merged report names the first`);
  return warnings;
}

function summarize(results: readonly TestResult[]): Summary {
  const count = (s: TestResult["status"]) => results.filter((r) => r.status === s).length;
  return { total: results.length, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), errors: count("error") };
}

/**
 * The merged run's exit code by the orchestrator's rules (run/outcome.ts):
 * failures first, then unreachable only when every shard was, then nothing run.
 */
export function mergedExitCode(reports: readonly ShardReport[], summary: Summary, runErrors: number): ExitCode {
  if (summary.failed > 0 || summary.errors > 0 || runErrors > 0) return 1;
  if (reports.length > 0 && reports.every((r) => r.exitCode === 3)) return 3;
  if (reports.some((r) => r.exitCode === 1)) return 1;
  if (summary.total === 0 || reports.every((r) => r.exitCode === 4)) return 4;
  return 0;
}

/** Paths in a report are relative to where it ran; the merge resolves them against `cwd`. */
function absolute(result: TestResult, cwd: string): TestResult {
  const abs = (f: string) => path.resolve(cwd, f);
  return { ...result, file: abs(result.file), ...(result.failure ? { failure: { ...result.failure, position: { ...result.failure.position, file: abs(result.failure.position.file) } } } : {}) };
}

export function mergeEvents(reports: readonly ShardReport[], cwd: string, stats?: (results: TestResult[]) => RunStats): RunEvent[] {
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
  events.push({
    type: "run-end",
    summary,
    exitCode: mergedExitCode(reports, summary, runErrors.length),
    durationMs: Math.max(0, finished - started),
    finishedAt: new Date(finished).toISOString(),
    ...(stats ? { stats: stats(results) } : {}),
  });
  return events;
}

// One target's grading run, protocol by protocol: the orchestrator runs each
// protocol's tests on its own, under its own slice of the target's budget
// (./budget.ts), up to `jobs` tests at a time when the target's users allow
// it (each job its own users, plan/user-sets.ts), and the parts — with the
// tests the login pre-check kept from running — are merged into the target's
// one JSON report, the single source every page and count of the scoreboard
// is drawn from. The parts and the merged report pass on in memory
// (./collect.ts); only the merged report is written, for the teacher. What a
// protocol's probe learnt holds for the target's later parts (they probe it
// again only when it failed).
// Standards: none (grading).

import path from "node:path";
import type { Protocol, TestCase } from "../model/ast.ts";
import type { ExitCode, TestResult } from "../model/result.ts";
import type { Target } from "../model/target.ts";
import { protocolsOf } from "../plan/select.ts";
import { ReporterBus } from "../report/bus.ts";
import { mergeEvents, type ShardReport } from "../report/merge.ts";
import { REPORTERS } from "../report/registry.ts";
import type { TextSink } from "../report/reporter.ts";
import type { ProbeResult, RunDeps } from "../run/deps.ts";
import { skippedResult } from "../run/results.ts";
import { runConformance } from "../run/run.ts";
import { publicTarget } from "../run/target-source.ts";
import { computeStats } from "../stats/compute.ts";
import { shareBudget } from "./budget.ts";
import { ReportCollector } from "./collect.ts";

export interface ProtocolRunsOptions {
  target: Target;
  /** The profile's selection; each protocol's run takes its own from it. */
  tests: readonly TestCase[];
  /** Tests not to run, with the reason they are reported with (counted as failed). */
  blocked: ReadonlyMap<string, string>;
  paths: string[];
  cwd: string;
  timeoutMs: number;
  budgetMs: number;
  /** Tests run at once; more than 1 only with a user set per job (./jobs.ts decides). */
  jobs: number;
  /** Where the merged report is written. */
  jsonFile: string;
  /** The runs' console output. */
  out: TextSink;
  signal?: AbortSignal;
}

export interface ProtocolRuns {
  exitCode: ExitCode;
  /** Why a part stopped early (its slice of the budget ran out). */
  notes: string[];
  /** The merged report, as written to jsonFile. */
  report: ShardReport;
}

const NAMES: Record<Protocol, string> = { smtp: "SMTP", pop3: "POP3", imap: "IMAP", lmtp: "LMTP" };

export async function runByProtocol(options: ProtocolRunsOptions, deps: RunDeps): Promise<ProtocolRuns> {
  const began = Date.now();
  const runnable = options.tests.filter((t) => !options.blocked.has(t.id));
  const order = [...new Set(runnable.map((t) => t.protocol))].sort();
  const slices = shareBudget(
    order.map((protocol) => ({ protocol, tests: runnable.filter((t) => t.protocol === protocol).length })),
    options.budgetMs,
  );
  const notes: string[] = [];
  const parts: ShardReport[] = [];
  const probed = new Map<Protocol, ProbeResult>();
  const partDeps: RunDeps = {
    ...deps,
    probeCapabilities: async (target, protocol, timeoutMs, runToken) => {
      const known = probed.get(protocol);
      if (known) return known;
      const probe = await deps.probeCapabilities(target, protocol, timeoutMs, runToken);
      if (probe.ok) probed.set(protocol, probe);
      return probe;
    },
  };
  for (const slice of slices) {
    const ids = new Set(runnable.filter((t) => t.protocol === slice.protocol).map((t) => t.id));
    const collector = new ReportCollector(options.cwd);
    const controller = new AbortController();
    // The caller's reason (a signal, for the exit code) passes on; the budget's own abort has none.
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    // Until the end of its slice — with what the protocols before left over — but never less than its own
    // share: a protocol before it that overran (a probe is not interrupted) takes nothing from this one.
    const startedAt = Date.now();
    const endsAt = Math.max(began + slice.endsAtMs, startedAt + slice.shareMs);
    const timer = setTimeout(() => {
      notes.push(`${NAMES[slice.protocol]} ran out of its share of the time budget (${endsAt - startedAt} ms of ${options.budgetMs} ms); its tests not started were counted as failed`);
      controller.abort();
    }, endsAt - startedAt);
    let exitCode: ExitCode;
    try {
      exitCode = await runConformance(
        {
          paths: options.paths,
          target: { kind: "started", start: async () => ({ target: options.target, release: async () => {} }) },
          tags: [],
          jobs: options.jobs,
          bail: false,
          list: false,
          timeoutMs: options.timeoutMs,
          reports: [],
          reporters: [collector],
          cwd: options.cwd,
          out: options.out,
          err: options.out,
          signal: controller.signal,
          filter: (tests) => tests.filter((t) => ids.has(t.id)),
        },
        partDeps,
      );
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
    const part = collector.report();
    if (!part) throw new Error(`the ${NAMES[slice.protocol]} run ended without a report (exit code ${exitCode})`);
    parts.push(part);
  }
  const blocked = options.tests.filter((t) => options.blocked.has(t.id)).map((t) => skippedResult(t, options.blocked.get(t.id)!, "not-run"));
  if (blocked.length > 0 || parts.length === 0) parts.push(blockedPart(options.target, blocked, options.cwd, began));
  const { exitCode, report } = await writeMerged(parts, options.jsonFile, options.cwd);
  return { exitCode, notes, report };
}

/** The tests the pre-check kept from running, as one more part of the report (paths relative to cwd, as a run writes them). */
function blockedPart(target: Target, results: TestResult[], cwd: string, began: number): ShardReport {
  const now = new Date().toISOString();
  const relative = results.map((r) => ({ ...r, file: path.relative(cwd, r.file) || r.file }));
  return {
    version: 1,
    startedAt: new Date(began).toISOString(),
    finishedAt: now,
    durationMs: 0,
    exitCode: results.length > 0 ? 1 : 4,
    summary: { total: results.length, passed: 0, failed: 0, skipped: results.length, errors: 0 },
    target: publicTarget(target),
    tests: relative,
    runErrors: [],
  };
}

async function writeMerged(parts: readonly ShardReport[], jsonFile: string, cwd: string): Promise<{ exitCode: ExitCode; report: ShardReport }> {
  const events = mergeEvents(parts, cwd, computeStats);
  const end = events.at(-1);
  // Every protocol unreachable is the run's exit code 3, as one run would have said; a merge ranks its failures first.
  if (end?.type === "run-end" && parts.every((p) => p.exitCode === 3)) end.exitCode = 3;
  const collector = new ReportCollector(cwd);
  // The JSON reporter alone: createReporters would add a console reporter, formatting every result for nobody.
  const bus = new ReporterBus([await REPORTERS.json(jsonFile, { cwd, out: { write: () => {} } }), collector]);
  for (const e of events) bus.emit(e);
  const failures = await bus.close();
  if (failures.length > 0) throw new Error(`writing ${jsonFile} failed: ${String((failures[0]!.error as Error)?.message ?? failures[0]!.error)}`);
  return { exitCode: end?.type === "run-end" ? end.exitCode : 1, report: collector.report()! };
}

/** The protocols a selection touches, for the pre-check. */
export function protocolsTested(tests: readonly TestCase[]): Protocol[] {
  return [...new Set(tests.flatMap(protocolsOf))].sort();
}

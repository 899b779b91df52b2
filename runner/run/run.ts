// The orchestrator: one run as a list of tasks — load suites, select, acquire
// the target, probe capabilities, run the pool, report — each task's failure
// mapped to its exit code (see outcome.ts). It owns the event order the
// reporters see: run-begin, file/test events, run-error, run-end. A broken
// suite never reaches the network; our own bugs become run-errors with their
// stack, never a silent pass.

import { setMaxListeners } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Protocol, Step, TestCase } from "../model/ast.ts";
import { EVENT_VERSION, type LiveEvents, type RunEvent } from "../model/events.ts";
import type { SuiteError } from "../model/failure.ts";
import type { ExitCode, TestResult, TranscriptCaps } from "../model/result.ts";
import type { Target } from "../model/target.ts";
import { compileGrep, partitionByEndpoints, protocolsOf, selectTests, SelectionError, skipReasonForUsers } from "../plan/select.ts";
import { capabilitySkip } from "../plan/capability-state.ts";
import { withImapNamespace } from "../target/imap-namespace.ts";
import { describeShard, shardTests, type Shard } from "../plan/shard.ts";
import { userSets } from "../plan/user-sets.ts";
import { longestFirst, scheduleOrder } from "../plan/schedule.ts";
import { ReporterBus } from "../report/bus.ts";
import type { Colors } from "../report/format/failure-text.ts";
import { createReporters, type ReportRequest } from "../report/registry.ts";
import type { Verbosity } from "../report/console.ts";
import type { Reporter, TextSink } from "../report/reporter.ts";
import { defaultDeps, type ProbeResult, type RunDeps } from "./deps.ts";
import { exitCodeFor, summarize } from "./outcome.ts";
import { runPool, type PoolEntry } from "./pool.ts";
import { brokenResult, skippedResult, unreachableResult } from "./results.ts";
import { applyDeviation } from "./deviations.ts";
import { checkDeviationIds, loadDeviations, type DeviationEntry } from "../suite/deviations.ts";
import { duplicateIds } from "../suite/unique-ids.ts";
import { acquireTarget, publicTarget, type AcquiredTarget, type TargetSource } from "./target-source.ts";
import { interruption } from "./interrupt.ts";
import { TranscriptBudget } from "./transcript-budget.ts";
import { applyGate, type GateOptions } from "../gate/gate.ts";
import { computeStats } from "../stats/compute.ts";
import { certificateTrustHint } from "../session/connection.ts";

export interface RunOptions {
  paths: string[];
  target: TargetSource;
  grep?: string;
  tags: string[];
  shard?: Shard;
  /** Tests run at most this many at a time (see DEFAULT_JOBS). */
  jobs: number;
  bail: boolean;
  /** Print the selected ids, one a line, and stop: no target, no sockets. */
  list: boolean;
  /** Per-step wait budget. */
  timeoutMs: number;
  /** No file reporter asked for: DEFAULT_REPORTS are written. */
  reports: ReportRequest[];
  /** Reporters built by the caller, beside `reports` (grade collects each run's results in memory); with one, no default reports. */
  reporters?: Reporter[];
  cwd: string;
  out: TextSink;
  err: TextSink;
  colors?: Colors;
  /** Aborting stops the run: nothing more starts, running tests stop at their next wait, reports are written. A RunInterrupt reason (run/interrupt.ts) names the signal and sets the exit code. */
  signal?: AbortSignal;
  /** Aborted (a second Ctrl-C): the after-run account sweep stops where it is and says what it left. */
  cleanupSignal?: AbortSignal;
  /** Added to the sum of step budgets before a test that never settles is cut off (our bug). */
  watchdogGraceMs?: number;
  /** A further selection after --grep/--tag (a grading profile), applied before sharding. */
  filter?: (tests: TestCase[]) => TestCase[];
  /** --stats: the console prints the protocol statistics (the JSON report always has them). */
  stats?: boolean;
  /** -v / --quiet: how much the console prints while the run goes on. */
  verbosity?: Verbosity;
  /** CI gating (--fail-on, --min-score, --baseline): decides the final exit code before run-end. */
  gate?: GateOptions;
  /** --expect-deviations: expectations files listing tests the target is known to fail (see run/deviations.ts). */
  deviationFiles?: string[];
  /** Octets of transcript text the whole run keeps (RUN_TRANSCRIPT_OCTETS); tests lower it. */
  transcriptOctets?: number;
}

export { DEFAULT_JOBS, DEFAULT_TIMEOUT_MS } from "./defaults.ts";
export const DEFAULT_REPORTS = (cwd: string): ReportRequest[] => [
  { name: "json", destination: path.join(cwd, "reports", "mailconform.json") },
  { name: "junit", destination: path.join(cwd, "reports", "junit.xml") },
  { name: "html", destination: path.join(cwd, "reports", "mailconform.html") },
];

const WATCHDOG_GRACE_MS = 5_000;
/** Per wait of the after-run sweep: an interrupted run must not hang on a server that stopped answering. */
const SWEEP_TIMEOUT_MS = 5_000;
/** setTimeout silently fires after 1 ms for delays beyond a signed 32-bit int. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function runConformance(options: RunOptions, deps: RunDeps = defaultDeps): Promise<ExitCode> {
  const say = (text: string) => options.err.write(text.endsWith("\n") ? text : text + "\n");

  // Task: select — a bad --grep is a usage error, caught before anything loads.
  let grep: RegExp | undefined;
  try {
    grep = options.grep !== undefined ? compileGrep(options.grep) : undefined;
  } catch (e) {
    if (e instanceof SelectionError) {
      say(`mailconform: ${e.message}`);
      return 2;
    }
    throw e;
  }

  // Task: load — every suite error listed, exit 2, no socket opened.
  const { suites, errors } = await deps.loadSuites(options.paths.map((p) => path.resolve(options.cwd, p)));
  const allTests = suites.flatMap((s) => s.tests);
  // The loader checks this too; suites handed in by other means (deps) are checked the same way.
  const duplicateErrors = duplicateIds(allTests.map((t) => ({ id: t.id, span: t.span })));
  if (errors.length > 0 || duplicateErrors.length > 0) {
    await printSuiteErrors([...errors, ...duplicateErrors], deps, say, "the suites");
    return 2;
  }
  // Task: load expectations — an entry that names no loaded test is an error like a suite's.
  const deviationEntries: DeviationEntry[] = [];
  const deviationErrors: SuiteError[] = [];
  for (const file of options.deviationFiles ?? []) {
    const loaded = await loadDeviations(path.resolve(options.cwd, file));
    deviationEntries.push(...loaded.entries);
    deviationErrors.push(...loaded.errors, ...checkDeviationIds(loaded.entries, allTests));
  }
  if (deviationErrors.length > 0) {
    const files = new Set(deviationErrors.map((e) => e.file)).size;
    await printSuiteErrors(deviationErrors, deps, say, files === 1 ? "the expectations file" : "the expectations files");
    return 2;
  }
  const deviations = new Map(deviationEntries.map((e) => [e.id, e]));

  const grepped = selectTests(allTests, { grep, tags: options.tags });
  const selected = options.filter ? options.filter(grepped) : grepped;
  const sharded = options.shard ? shardTests(selected, options.shard) : selected;
  const plan = scheduleOrder(sharded);
  if (options.list) {
    for (const t of plan) options.out.write(t.id + "\n");
    if (plan.length === 0) say(nothingMatched(options, allTests.length));
    return plan.length === 0 ? 4 : 0;
  }
  if (plan.length === 0) {
    say(nothingMatched(options, allTests.length));
    return 4;
  }

  if (options.shard) options.out.write(describeShard(options.shard, plan.length, selected.length) + "\n");

  // Task: target
  let acquired: AcquiredTarget;
  try {
    acquired = await acquireTarget(options.target, deps);
  } catch (e) {
    return reportTargetError(e, options.target.kind, deps, say);
  }

  try {
    return await runPlan(plan, acquired.target, options, acquired.disposable ? { ...deps, sweepAccounts: undefined } : deps, deviations);
  } finally {
    try {
      await acquired.release();
    } catch (e) {
      say(`mailconform: stopping the target failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
}

async function runPlan(plan: TestCase[], target: Target, options: RunOptions, deps: RunDeps, deviations: ReadonlyMap<string, DeviationEntry>): Promise<ExitCode> {
  const startedAt = Date.now();
  // The GitHub reporter (added by CI detection) writes no report file of its own.
  const hasFileReport = options.reports.some((r) => r.name !== "console" && r.name !== "github") || (options.reporters?.length ?? 0) > 0;
  const requests = hasFileReport ? options.reports : [...options.reports, ...DEFAULT_REPORTS(options.cwd)];
  const bus = new ReporterBus([
    ...(await createReporters(requests, { cwd: options.cwd, out: options.out, colors: options.colors, stats: options.stats ?? false, verbosity: options.verbosity ?? "normal" })),
    ...(options.reporters ?? []),
  ]);
  let runErrors = 0;
  const emit = (e: RunEvent) => {
    if (e.type === "run-error") runErrors++;
    bus.emit(e);
  };
  const runError = (message: string, error?: unknown) => {
    const stack = error instanceof Error ? error.stack : undefined;
    emit(stack ? { type: "run-error", message, stack } : { type: "run-error", message });
  };

  emit({
    type: "run-begin",
    version: EVENT_VERSION,
    startedAt: new Date(startedAt).toISOString(),
    target: publicTarget(target),
    plan: plan.map((t) => ({ id: t.id, title: t.title, protocol: t.protocol, file: t.file })),
    ...(options.shard ? { shard: { index: options.shard.index, total: options.shard.total } } : {}),
  });

  let results: TestResult[] = [];
  // Unique per run: tests name their mailboxes and messages with it, and the sweep finds them by it.
  const runToken = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
  let probed = 0;
  let unreachable = 0;
  let servable = 0;
  // A test that talked SMTP may have handed over mail still on its way: the sweep waits for it.
  let sentMail = false;
  try {
    // Task: probe — once per protocol the plan needs, all protocols at once.
    const { runnable, skipped } = partitionByEndpoints(plan, target.endpoints, target.submission);
    servable = runnable.length;
    const needed = [...new Set(runnable.flatMap(protocolsOf))].sort();
    const probes = new Map<Protocol, ProbeResult>();
    await Promise.all(
      needed.map(async (p) => {
        try {
          const probe = await deps.probeCapabilities(target, p, options.timeoutMs, runToken);
          if (!probe.ok) unreachable++;
          probes.set(p, probe);
        } catch (e) {
          runError(`probing ${p} capabilities failed: ${(e as Error).message}`, e);
          probes.set(p, { ok: false, reason: `probe failed: ${(e as Error).message}`, class: "connection" });
        }
      }),
    );
    probed = needed.length;

    const skipReasons = new Map(skipped.map((s) => [s.test.id, s.reason]));
    const entries: PoolEntry[] = plan.map((test) => ({ test, decided: decide(test, target, probes, skipReasons.get(test.id)) }));
    // Tests build their IMAP mailbox names from where the probe found the user's mailboxes (${imap.prefix}).
    const imapProbe = probes.get("imap");
    const tested = withImapNamespace(target, imapProbe?.ok ? imapProbe.namespace : undefined);

    // Task: run
    const fileTotals = new Map<string, number>();
    for (const t of plan) fileTotals.set(t.file, (fileTotals.get(t.file) ?? 0) + 1);
    const fileBegun = new Set<string>();
    const transcripts = new TranscriptBudget(options.transcriptOctets);
    // With enough users, every slot gets its own (plan/user-sets.ts): tests side by side share no mailbox.
    const sets = userSets(tested.users, Math.max(1, options.jobs), entries.filter((e) => !e.decided).map((e) => e.test));
    const slotTargets = sets?.map((users) => ({ ...tested, users }));
    // Every running test listens for the run's interrupt, plus the pool: more than Node's default warning threshold of 10.
    if (options.signal) setMaxListeners((slotTargets?.length ?? Math.max(1, options.jobs)) + 4, options.signal);
    // Tests that share no user may start in any order: longest first shortens the run's tail (plan/schedule.ts).
    results = await runPool(slotTargets ? longestFirst(entries) : entries, {
      jobs: slotTargets?.length ?? Math.max(1, options.jobs),
      isolatedSlots: slotTargets !== undefined,
      bail: options.bail,
      signal: options.signal,
      execute: async (test, slot) => {
        const budget = transcripts.open();
        if (protocolsOf(test).includes("smtp")) sentMail = true;
        const result = await executeGuarded(test, slotTargets?.[slot] ?? tested, options, deps, runToken, emit, runError, budget.caps, bus.liveEvents);
        budget.settle(result);
        return applyDeviation(result, deviations, (f) => path.relative(options.cwd, f) || f);
      },
      onBegin: (test) => {
        if (!fileBegun.has(test.file)) {
          fileBegun.add(test.file);
          emit({ type: "file-begin", file: test.file });
        }
        emit({ type: "test-begin", id: test.id });
      },
      onEnd: (test, result) => {
        emit({ type: "test-end", result });
        const left = fileTotals.get(test.file)! - 1;
        fileTotals.set(test.file, left);
        if (left === 0) emit({ type: "file-end", file: test.file });
      },
    });
  } catch (e) {
    runError(`the run stopped on an internal error: ${(e as Error).message}`, e);
  }

  // Task: sweep — leave the account as found (failing and interrupted runs too), before the reports are written.
  if (deps.sweepAccounts && results.some((r) => r.transcript.length > 0)) {
    try {
      const context = { delivered: sentMail, ...(options.cleanupSignal ? { signal: options.cleanupSignal } : {}) };
      for (const line of await deps.sweepAccounts(target, runToken, Math.min(options.timeoutMs, SWEEP_TIMEOUT_MS), context)) options.err.write(`mailconform: ${line}\n`);
    } catch (e) {
      runError(`the cleanup sweep failed: ${(e as Error).message}`, e);
    }
  }

  // Task: report
  const summary = summarize(results);
  if (bus.failed) runErrors = Math.max(runErrors, 1);
  const interrupted = interruption(options.signal, summary.notRun ?? 0, plan.length);
  const ungated = exitCodeFor({ summary, probed, unreachable, servable, runErrors, ...(interrupted ? { interrupted } : {}) });
  const gate = options.gate ? applyGate(options.gate, results, ungated, runErrors) : undefined;
  // A gate judges the results it has; it never turns a stopped run into a pass.
  const exitCode = interrupted ? ungated : (gate?.exitCode ?? ungated);
  const stats = computeStats(results);
  emit({
    type: "run-end",
    summary,
    exitCode,
    durationMs: Date.now() - startedAt,
    finishedAt: new Date().toISOString(),
    stats,
    ...(gate ? { gate } : {}),
    ...(interrupted ? { interrupted } : {}),
  });
  const closeFailures = await bus.close();
  for (const f of closeFailures) {
    const err = f.error instanceof Error ? f.error : new Error(String(f.error));
    options.err.write(`mailconform: reporter "${f.reporter}" failed while writing its report: ${err.stack ?? err.message}\n`);
  }
  // Once per run, after the summary: a certificate the runner would not trust fails every TLS test alike.
  const trust = certificateTrustHint(results.flatMap((r) => (r.failure ? [r.failure] : [])));
  if (trust !== undefined) options.err.write(trust + "\n");
  return exitCode === 0 && (bus.failed || closeFailures.length > 0) ? 1 : exitCode;
}

function decide(
  test: TestCase,
  target: Target,
  probes: ReadonlyMap<Protocol, ProbeResult>,
  endpointSkip: string | undefined,
): TestResult | undefined {
  if (endpointSkip !== undefined) return skippedResult(test, endpointSkip, "no-endpoint");
  const usersSkip = skipReasonForUsers(test, target.users.length);
  if (usersSkip !== undefined) return skippedResult(test, usersSkip, "too-few-users");
  for (const p of protocolsOf(test)) {
    const probe = probes.get(p);
    if (probe && !probe.ok) return unreachableResult(test, p, target.host, target.endpoints[p]!, probe);
  }
  const own = probes.get(test.protocol);
  if (own?.ok) {
    const skip = capabilitySkip(test, own.states ?? { "before-tls": own.advertised }, target.endpoints[test.protocol]?.tls);
    if (skip !== undefined) return skippedResult(test, skip.reason, skip.kind);
  }
  return undefined;
}

/**
 * Runs one test and never rejects: an exception from the engine or a test
 * that outlives every step budget is our bug — a run-error with its stack,
 * and the test reported as error, while the run goes on.
 */
async function executeGuarded(
  test: TestCase,
  target: Target,
  options: RunOptions,
  deps: RunDeps,
  runToken: string,
  emit: (e: RunEvent) => void,
  runError: (message: string, error?: unknown) => void,
  transcriptCaps: TranscriptCaps,
  /** The step and wire events the run's reporters read live (ReporterBus.liveEvents): runTest builds only those. */
  live: LiveEvents,
): Promise<TestResult> {
  const began = Date.now();
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const stepBudget = Math.max(test.timeoutMs ?? 0, options.timeoutMs);
  const watchdogMs = Math.min(MAX_TIMER_MS, stepBudget * (countSteps(test, stepBudget) + test.connections.length + 4) + (options.watchdogGraceMs ?? WATCHDOG_GRACE_MS));
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<"watchdog">((resolve) => {
    timer = setTimeout(() => resolve("watchdog"), watchdogMs);
  });
  try {
    const outcome = await Promise.race([
      deps.runTest(test, { target, timeoutMs: options.timeoutMs, runToken, emit, live, signal: controller.signal, transcriptCaps }),
      watchdog,
    ]);
    if (outcome === "watchdog") {
      controller.abort(new Error("watchdog"));
      const message = `test ${test.id} did not finish within ${watchdogMs} ms, beyond the budget of all its steps`;
      runError(message);
      return brokenResult(test, message, Date.now() - began);
    }
    if (outcome.id !== test.id) {
      runError(`the engine returned a result for ${outcome.id} while running ${test.id}`);
      return brokenResult(test, `result for the wrong test (${outcome.id})`, Date.now() - began);
    }
    return outcome;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    runError(`running ${test.id} failed inside the runner: ${message}`, e);
    return brokenResult(test, message, Date.now() - began);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Steps as executed, repeats unrolled: the engine spends at most one budget on
 * each. A retry starts no attempt after its window, so it costs the window (in
 * budgets) plus one last attempt.
 */
function countSteps(test: TestCase, stepBudgetMs: number): number {
  const count = (steps: readonly Step[]): number =>
    steps.reduce((n, s) => {
      if (s.kind === "repeat") return n + Math.max(1, s.times) * count(s.steps);
      if (s.kind === "retry") return n + Math.ceil(s.withinMs / stepBudgetMs) + count(s.steps);
      if (s.kind === "may-close") return n + count(s.steps);
      // Only one branch runs: budget for the longest.
      if (s.kind === "one-of") return n + 1 + Math.max(0, ...s.branches.map((b) => count(b.then)));
      if (s.kind === "if") return n + 1 + Math.max(count(s.then), count(s.else));
      return n + 1;
    }, 0);
  return count(test.setup) + count(test.steps) + count(test.cleanup) + count(test.finally);
}

/** Every error with its source excerpt, then the count and `where` they are ("the suites", "the expectations file"). */
async function printSuiteErrors(errors: readonly SuiteError[], deps: RunDeps, say: (t: string) => void, where: string): Promise<void> {
  const sources = new Map<string, string | undefined>();
  for (const e of errors) {
    if (!sources.has(e.file)) sources.set(e.file, await readFile(e.file, "utf8").catch(() => undefined));
    say(await deps.formatSuiteError(e, sources.get(e.file)));
  }
  say(`mailconform: ${errors.length} error${errors.length === 1 ? "" : "s"} in ${where}; nothing was run`);
}

async function reportTargetError(e: unknown, kind: TargetSource["kind"], deps: RunDeps, say: (t: string) => void): Promise<ExitCode> {
  const errors = (e as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    await printSuiteErrors(errors as SuiteError[], deps, say, "the target file");
    return 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (kind === "started") {
    say(`mailconform: could not start the reference server: ${err.stack ?? err.message}`);
    return 3;
  }
  say(`mailconform: invalid target: ${err.message}`);
  return 2;
}

function nothingMatched(options: RunOptions, loaded: number): string {
  const parts = [
    options.grep !== undefined ? `--grep ${JSON.stringify(options.grep)}` : "",
    ...options.tags.map((t) => `--tag ${t}`),
    options.shard ? `--shard ${options.shard.index}/${options.shard.total}` : "",
  ].filter(Boolean);
  return `mailconform: no test matched${parts.length ? ` ${parts.join(" ")}` : ""} (${loaded} test${loaded === 1 ? "" : "s"} loaded from ${options.paths.join(", ")})`;
}

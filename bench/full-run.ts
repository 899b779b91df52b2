// Benchmark 5: a full conformance run (every bundled suite) against the
// bundled reference server, the way `mailconform run` does it: the server on
// a worker thread of its own, started while the suites load, the CLI's jobs
// and timeout. Its peer in the same run is the server in the runner's own
// thread (one event loop for both, as before issue 18); the variants
// alternate, BENCH_FULL_RUN_ROUNDS pairs (default 3), each run in a fresh
// process (modules loaded before the clock starts), and the ratio is of their
// medians: in one process the peer's server code would stay compiled from
// round to round while each thread run starts a fresh worker.
// The wall time of one more thread run, in this process, is split by phase (module loading,
// suite loading, waiting for the server, capability probes, tests, reports,
// server stop) and its test time by step kind, so the note can say where it
// goes; `mailconform run` in a fresh process (start-up included) is timed
// too. Goal: ≤ 5 s wall for that. Not a timed test.
// The CPU of each variant is split by thread (Linux /proc): the runner's
// thread, the server's (its own or the same), and the rest (V8's compiler
// and GC helpers, the file-system pool); the note's explanation of the gap is
// the arithmetic on those figures.
// Standards: none (bench).

import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineCpu, threadCpu, total } from "./lib/proc-cpu.ts";
import type { Protocol } from "../runner/model/ast.ts";
import type { StepResult, TestResult } from "../runner/model/result.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** How many of the slowest tests the report lists. */
const SLOWEST_SHOWN = 10;
/** The goal: a full run in 5 s of wall time on the machine's 2 cores, so at most 10 CPU-s in all. */
const GOAL_MS = 5000;
/** Pairs of runs (thread, in-process), for medians of three. */
const ROUNDS = Number(process.env.BENCH_FULL_RUN_ROUNDS ?? 3);

/** Where the reference server runs: on its own worker thread (as `mailconform run`), or in the runner's thread. */
export type ServerPlacement = "thread" | "in-process";

export interface FullRunResult {
  /** Median wall time of the runs with the server on its own thread (each in a fresh process, modules already loaded). */
  wallMs: number;
  /** The same for the server in the runner's thread: the peer. */
  inProcessWallMs: number;
  /** Process CPU time (all threads) of those runs, medians. */
  cpuMs: number;
  /** Share of the machine's time busy (all its CPUs, /proc/stat) during the thread runs, median. */
  machineBusy: number;
  /** The thread variant with libuv's pool at one thread (UV_THREADPOOL_SIZE=1 in the fresh process's environment): median wall. */
  onePoolThreadWallMs: number;
  inProcessCpuMs: number;
  /** CPU by thread, medians (null off Linux): runner = this thread; server = its worker thread (thread runs) or included in runner (in-process); background = the rest. */
  threads: { placement: ServerPlacement; runnerMs: number; serverMs: number | null; backgroundMs: number }[] | null;
  tests: number;
  /** `mailconform run --quiet` in a fresh process, start-up and reports included: the goal's figure. */
  cliRunMs: number;
  cliRunExitCode: number;
  exitCode: number;
  /** In run order; `ms` of "probes" is the wall time of the concurrent probes. */
  phases: { name: string; ms: number }[];
  protocols: { protocol: Protocol; tests: number; passed: number; failed: number; skipped: number; ms: number; probeMs: number }[];
  /** Time inside tests by step kind (first word of the step title), and what is outside any step (connect/teardown). */
  stepKinds: { kind: string; steps: number; ms: number }[];
  /** Step titles (templates as written) by total time: which dialogue lines the time goes to. */
  heaviestTitles: { title: string; steps: number; ms: number }[];
  slowest: { id: string; ms: number; heaviestStep: string }[];
  /** Wall time of `node bin/mailconform.js run --list` in a fresh process: tsx start-up, module and suite loading. */
  cliListMs: number;
  conditions: string;
}

/** "expect silence 300 ms" → "expect silence"; "b: send NOOP" → "send"; "expect 250" → "expect". */
function stepKind(step: StepResult): string {
  const title = step.title.replace(/^[\w-]+: /, "");
  for (const kind of ["expect silence", "expect closed", "wait", "connect", "close", "repeat", "starttls", "auth", "data", "raw", "send", "expect"]) {
    if (title.startsWith(kind)) return kind;
  }
  return "other";
}

/** CPU ms used so far by each thread of this process, by OS thread id (empty where /proc is not Linux's). */
function threadCpuMs(): Map<string, number> {
  try {
    return new Map([...threadCpu("self")].map(([tid, cpu]) => [tid, total(cpu)]));
  } catch {
    return new Map();
  }
}

interface OneRun {
  wallMs: number;
  cpuMs: number;
  /** CPU of this (the runner's) thread; null without /proc. */
  runnerCpuMs: number | null;
  /** CPU of the server's worker thread (thread runs; null in-process or without /proc). */
  serverCpuMs: number | null;
  exitCode: number;
  phases: { name: string; ms: number }[];
  probeMs: Map<Protocol, number>;
  results: TestResult[];
}

async function oneRun(placement: ServerPlacement): Promise<OneRun> {
  const { runConformance, DEFAULT_TIMEOUT_MS } = await import("../runner/run/run.ts");
  const { defaultDeps } = await import("../runner/run/deps.ts");
  const { BUNDLED_JOBS, startReferenceTarget, startReferenceTargetThread } = await import("../cli/reference-target.ts");
  const { startEarly } = await import("../cli/run.ts");
  const { BUNDLED_SUITES } = await import("../cli/package-root.ts");
  const phases: { name: string; ms: number }[] = [];
  const began = performance.now();
  const cpu = process.cpuUsage();
  const threadsBefore = threadCpuMs();
  // The worker thread ends on release: its CPU is read just before.
  let serverCpuMs: number | null = null;
  let mark = began;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, ms: now - mark });
    mark = now;
  };
  const work = await mkdtemp(path.join(os.tmpdir(), "mailconform-bench-"));
  const probeMs = new Map<Protocol, number>();
  const results: TestResult[] = [];
  let lastTestEnd = 0;
  let testsBegun = false;
  let stopMs = 0;
  let exitCode: number;
  // As cli/run.ts does it: the threaded server starts at once, while this thread loads the suites.
  const early = startEarly({ kind: "started", start: placement === "thread" ? () => startReferenceTargetThread() : startReferenceTarget });
  try {
    exitCode = await runConformance(
      {
        paths: [BUNDLED_SUITES],
        target: {
          kind: "started",
          start: async () => {
            if (early.source.kind !== "started") throw new Error("unreachable");
            const acquired = await early.source.start();
            phase(placement === "thread" ? "waiting for the server (started on its thread with the suite loading)" : "reference server start");
            return {
              target: acquired.target,
              release: async () => {
                if (placement === "thread") {
                  // The threads born during the run: the server's worker is the busy one.
                  const born = [...threadCpuMs()].filter(([tid]) => !threadsBefore.has(tid)).map(([, ms]) => ms);
                  serverCpuMs = born.length > 0 ? Math.max(...born) : null;
                }
                const t = performance.now();
                await acquired.release();
                stopMs = performance.now() - t;
              },
            };
          },
        },
        tags: [],
        jobs: BUNDLED_JOBS,
        bail: false,
        list: false,
        timeoutMs: DEFAULT_TIMEOUT_MS,
        reports: [
          { name: "json", destination: path.join(work, "mailconform.json") },
          { name: "junit", destination: path.join(work, "junit.xml") },
        ],
        cwd: work,
        out: { write: () => true },
        err: { write: () => true },
      },
      {
        ...defaultDeps,
        loadSuites: async (paths) => {
          const loaded = await defaultDeps.loadSuites(paths);
          phase("suite loading");
          return loaded;
        },
        probeCapabilities: async (target, protocol, timeoutMs, runToken) => {
          const t = performance.now();
          try {
            return await defaultDeps.probeCapabilities(target, protocol, timeoutMs, runToken);
          } finally {
            probeMs.set(protocol, performance.now() - t);
          }
        },
        runTest: async (test, env) => {
          if (!testsBegun) phase("capability probes (concurrent)");
          testsBegun = true;
          const result = await defaultDeps.runTest(test, env);
          results.push(result);
          lastTestEnd = performance.now();
          return result;
        },
      },
    );
  } finally {
    await early.stop();
    await rm(work, { recursive: true, force: true });
  }
  const end = performance.now();
  phases.push({ name: "tests", ms: lastTestEnd - mark });
  phases.push({ name: "reports", ms: end - lastTestEnd - stopMs });
  phases.push({ name: "reference server stop", ms: stopMs });
  const used = process.cpuUsage(cpu);
  const self = String(process.pid);
  const runnerAfter = threadCpuMs().get(self);
  const runnerBefore = threadsBefore.get(self);
  const runnerCpuMs = runnerAfter !== undefined && runnerBefore !== undefined ? runnerAfter - runnerBefore : null;
  return { wallMs: end - began, cpuMs: (used.user + used.system) / 1000, runnerCpuMs, serverCpuMs, exitCode, phases, probeMs, results };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The engines defaultDeps loads lazily, loaded before a run so their cost is its own phase (the worker loads the server's itself). */
async function loadModules(): Promise<number> {
  const began = performance.now();
  await Promise.all([
    import("../runner/run/run.ts"), import("../runner/run/deps.ts"), import("../cli/reference-target.ts"), import("../cli/run.ts"),
    import("../runner/exec/run-test.ts"), import("../runner/exec/capabilities.ts"), import("../runner/suite/load.ts"), import("../reference-server/serve.ts"),
  ]);
  return performance.now() - began;
}

/** What a run in a child process reports: the figures, not the results. */
type FreshRun = Pick<OneRun, "wallMs" | "cpuMs" | "runnerCpuMs" | "serverCpuMs" | "exitCode">;
const ONE_RUN_FLAG = "--one-run";

/**
 * One run in a fresh process (modules loaded first, as in this one): every
 * variant starts with cold compiled code, as every `mailconform run` does.
 * In one process the in-process peer would keep the server's code optimised
 * from the run before while each thread run starts a fresh worker.
 */
function freshRun(placement: ServerPlacement, env: NodeJS.ProcessEnv = process.env): FreshRun & { machineBusy: number } {
  const before = machineCpu();
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ONE_RUN_FLAG, placement], { cwd: ROOT, encoding: "utf8", timeout: 300_000, env });
  const after = machineCpu();
  const last = child.stdout.trim().split("\n").pop() ?? "";
  if (child.status !== 0 || !last.startsWith("{")) throw new Error(`a ${placement} run in a child process failed (${child.status}): ${child.stderr.slice(-2000)}`);
  const busy = after.busy - before.busy;
  return { ...(JSON.parse(last) as FreshRun), machineBusy: busy / Math.max(1, busy + after.idle - before.idle) };
}

/** libuv's pool at one thread: it can only be set in the environment of a process about to start (the pool exists before any module runs). */
const ONE_POOL_THREAD = { ...process.env, UV_THREADPOOL_SIZE: "1" };

export async function benchFullRun(): Promise<FullRunResult> {
  const moduleMs = await loadModules();
  const { BUNDLED_JOBS, DEFAULT_TIMEOUT_MS, throwawayDataParent } = { ...(await import("../cli/reference-target.ts")), ...(await import("../runner/run/run.ts")) };
  const threaded: (FreshRun & { machineBusy: number })[] = [];
  const inProcess: FreshRun[] = [];
  const onePoolThread: FreshRun[] = [];
  // Alternating, the thread variant first in even rounds, each in a fresh process.
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      threaded.push(freshRun("thread"));
      inProcess.push(freshRun("in-process"));
      onePoolThread.push(freshRun("thread", ONE_POOL_THREAD));
    } else {
      onePoolThread.push(freshRun("thread", ONE_POOL_THREAD));
      inProcess.push(freshRun("in-process"));
      threaded.push(freshRun("thread"));
    }
  }
  // The phases, the step kinds and the slowest tests: one more thread run, in this process.
  const detail = await oneRun("thread");
  const { phases, probeMs, results } = detail;
  const exitCode = Math.max(detail.exitCode, ...threaded.map((r) => r.exitCode));
  phases.unshift({ name: "module loading (runner; the server's load on its thread)", ms: moduleMs });

  const protocols = (["smtp", "pop3", "imap"] as const).map((protocol) => {
    const own = results.filter((r) => r.protocol === protocol);
    return {
      protocol,
      tests: own.length,
      passed: own.filter((r) => r.status === "passed").length,
      failed: own.filter((r) => r.status === "failed" || r.status === "error").length,
      skipped: own.filter((r) => r.status === "skipped").length,
      ms: own.reduce((sum, r) => sum + r.durationMs, 0),
      probeMs: probeMs.get(protocol) ?? 0,
    };
  });

  const kinds = new Map<string, { steps: number; ms: number }>();
  const add = (kind: string, ms: number, steps = 1): void => {
    const k = kinds.get(kind) ?? { steps: 0, ms: 0 };
    k.steps += steps;
    k.ms += ms;
    kinds.set(kind, k);
  };
  for (const r of results) {
    const inSteps = r.steps.reduce((sum, s) => sum + s.durationMs, 0);
    for (const s of r.steps) if (s.status !== "skipped") add(stepKind(s), s.durationMs);
    add("(outside steps: connect before the first step, teardown)", Math.max(0, r.durationMs - inSteps), 0);
  }
  const titles = new Map<string, { steps: number; ms: number }>();
  for (const r of results) {
    for (const s of r.steps) {
      const t = titles.get(s.title) ?? { steps: 0, ms: 0 };
      t.steps += 1;
      t.ms += s.durationMs;
      titles.set(s.title, t);
    }
  }
  const heaviestTitles = [...titles.entries()].map(([title, v]) => ({ title, ...v })).sort((a, b) => b.ms - a.ms).slice(0, SLOWEST_SHOWN);
  const stepKinds = [...kinds.entries()].map(([kind, v]) => ({ kind, ...v })).sort((a, b) => b.ms - a.ms);

  const slowest = [...results]
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, SLOWEST_SHOWN)
    .map((r) => {
      const heaviest = [...r.steps].sort((a, b) => b.durationMs - a.durationMs)[0];
      return { id: r.id, ms: r.durationMs, heaviestStep: heaviest ? `${heaviest.title} (${heaviest.durationMs} ms)` : "-" };
    });

  const cliStart = performance.now();
  spawnSync(process.execPath, [path.join(ROOT, "bin/mailconform.js"), "run", "--list"], { cwd: ROOT, stdio: "ignore" });
  const cliListMs = performance.now() - cliStart;
  const cliWork = await mkdtemp(path.join(os.tmpdir(), "mailconform-bench-cli-"));
  let cliRunMs: number;
  let cliRunExitCode: number;
  try {
    const runStart = performance.now();
    const run = spawnSync(process.execPath, [path.join(ROOT, "bin/mailconform.js"), "run", "--quiet", "--report-json", path.join(cliWork, "r.json")], { cwd: cliWork, stdio: "ignore", timeout: 300_000 });
    cliRunMs = performance.now() - runStart;
    cliRunExitCode = run.status ?? -1;
  } finally {
    await rm(cliWork, { recursive: true, force: true });
  }

  const split = (placement: ServerPlacement, runs: FreshRun[]) => {
    const runner = runs.map((r) => r.runnerCpuMs);
    const server = runs.map((r) => r.serverCpuMs);
    if (runner.some((v) => v === null) || (placement === "thread" && server.some((v) => v === null))) return null;
    const runnerMs = median(runner as number[]);
    const serverMs = placement === "thread" ? median(server as number[]) : null;
    const backgroundMs = median(runs.map((r) => r.cpuMs - r.runnerCpuMs! - (r.serverCpuMs ?? 0)));
    return { placement, runnerMs, serverMs, backgroundMs };
  };
  const threadSplit = split("thread", threaded);
  const inProcessSplit = split("in-process", inProcess);

  return {
    threads: threadSplit && inProcessSplit ? [threadSplit, inProcessSplit] : null,
    tests: results.length,
    wallMs: median(threaded.map((r) => r.wallMs)),
    inProcessWallMs: median(inProcess.map((r) => r.wallMs)),
    cpuMs: median(threaded.map((r) => r.cpuMs)),
    machineBusy: median(threaded.map((r) => r.machineBusy)),
    onePoolThreadWallMs: median(onePoolThread.map((r) => r.wallMs)),
    inProcessCpuMs: median(inProcess.map((r) => r.cpuMs)),
    cliRunMs,
    cliRunExitCode,
    exitCode,
    phases,
    protocols,
    stepKinds,
    heaviestTitles,
    slowest,
    cliListMs,
    conditions:
      `${results.length} tests from the bundled suites, reference server on ephemeral ports, ${ROUNDS} pair${ROUNDS === 1 ? "" : "s"} of runs (medians), ` +
      `jobs ${BUNDLED_JOBS} (longest first), throwaway store (store.durable: false, no fsync) in ${await throwawayDataParent()}, no after-run sweep (disposable target), step timeout ${DEFAULT_TIMEOUT_MS} ms, JSON + JUnit reports; ` +
      `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`,
  };
}

const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;

/**
 * Why the run is not yet at GOAL_MS, from the CPU split: on 2 cores the wall
 * is at least the busiest thread's CPU, and at least all CPU over 2.
 */
export function explainGap(r: FullRunResult): string {
  const split = r.threads?.find((t) => t.placement === "thread");
  const together = r.threads?.find((t) => t.placement === "in-process");
  if (!split || split.serverMs === null || !together) return "";
  const all = split.runnerMs + split.serverMs + split.backgroundMs;
  const busiest = Math.max(split.runnerMs, split.serverMs);
  const floor = Math.max(busiest, all / 2);
  const perTest = (v: number) => `${(v / r.tests).toFixed(1)} ms`;
  const budget = (2 * GOAL_MS) / r.tests;
  return (
    `Where the wall goes (the arithmetic): on 2 cores a run takes at least its busiest thread's CPU and at least all its CPU ÷ 2. ` +
    `With the server on its own thread the busiest is the ${split.serverMs >= split.runnerMs ? "server's" : "runner's"} (${ms(busiest)}); all CPU is ${ms(all)}, so the run needs ≥ ${ms(floor)} of wall once its modules are loaded. ` +
    `Per test (${r.tests}): runner ${perTest(split.runnerMs)} + server ${perTest(split.serverMs)} + the rest ${perTest(split.backgroundMs)} = ${perTest(all)} of CPU; ` +
    `${ms(GOAL_MS)} on 2 cores allows ${budget.toFixed(1)} ms per test with start-up included, and ≤ ${ms(GOAL_MS)} on each thread: ${all > 1.05 * 2 * GOAL_MS ? `${(all / (2 * GOAL_MS)).toFixed(1)}× less CPU than now` : `the CPU about fits (${(all / (2 * GOAL_MS)).toFixed(2)}× the budget), so the gap is the idle time below and the start-up`}. ` +
    `With the server in the runner's thread both share one event loop: ${ms(together.runnerMs)} on one thread is its floor, whatever the second core does. ` +
    `The floor is not reached: during the thread runs the machine was ${(100 * r.machineBusy).toFixed(0)} % busy, so ${ms(r.wallMs - floor)} of the wall is time both cores were not kept busy. ` +
    `Part of it is hand-offs between threads: with libuv's pool at one thread instead of four (UV_THREADPOOL_SIZE=1, same runs interleaved) the run took ${ms(r.onePoolThreadWallMs)} ` +
    `(${(r.onePoolThreadWallMs / r.wallMs).toFixed(2)}×) — every file call of the throwaway store (tmpfs, no fsync) is a pool job, and four pool threads on two cores are woken ` +
    `once per job and preempt the two event loops (perf sched, session 8: 59,000 pool wake-ups for 0.64 s of pool work in one run). Not adopted: the size must be in the environment before node starts ` +
    `(a relaunch of the command), and one pool thread would put the durable server's fsyncs in series (not measured here). ` +
    PROFILE_NOTE
  );
}

/**
 * Where each thread's CPU went: `perf record -g` (CPU samples, all threads,
 * `node --perf-basic-prof`) of full runs with the server on its own thread,
 * session 7 (2026-12-06, commit b4c04fc, data on tmpfs, load ~12). Static
 * text: a profile is not taken on every bench run.
 */
const PROFILE_NOTE =
  "From a CPU profile of the thread variant (perf, all threads): the server's thread 37 % of all CPU — its store 32 % of it (opening a mailbox checks the folder on disk at every command, " +
  "every APPEND sums the user's mailboxes for the quota 4 %, building mailbox paths 4 %, the commit's file writes), Node's socket and stream code 30 %, core/connection 16 %, the IMAP engine 7 %; " +
  "the runner's thread 28 % — runner/session 24 %, Node's socket and stream code 23 %, protocol drivers 14 %, run/ and report 10 %, exec 8 %; " +
  "the rest 35 % — V8's optimising compiler 26 % of all CPU (about 800 TurboFan compilations per isolate in a 10 s process, Node's own net/stream code compiled once in each of the two isolates), GC 4 %, the file-system pool and thread wake-ups. " +
  "Kernel time is 16 % of all CPU; with the data directory on ext4 instead of tmpfs, file creation and deletion (openat/mkdir/rename/rmdir) added 1–2 CPU-s per run (interleaved A/B). " +
  "No one item is large (that profile was taken on a slower machine, where the CPU per test was 1.7× the budget).";

export function formatFullRun(r: FullRunResult): string {
  const out: string[] = [];
  out.push(`| bench | wall | CPU (all threads) | goal | exit code |`);
  out.push(`|---|---|---|---|---|`);
  out.push(`| \`mailconform run\` in a fresh process (start-up, all suites, reports) | ${ms(r.cliRunMs)} | | ≤ 5 s | ${r.cliRunExitCode} |`);
  out.push(`| full run in a fresh process (modules loaded first), server on its own thread (as \`run\`) | ${ms(r.wallMs)} | ${ms(r.cpuMs)} | | ${r.exitCode} |`);
  out.push(`| full run in a fresh process (modules loaded first), server in the runner's thread (peer) | ${ms(r.inProcessWallMs)} | ${ms(r.inProcessCpuMs)} | | |`);
  out.push(`| full run in a fresh process, server on its own thread, libuv's pool at 1 thread (UV_THREADPOOL_SIZE=1; not what \`run\` does) | ${ms(r.onePoolThreadWallMs)} | | | |`);
  out.push(`| thread ÷ in-process wall | ${(r.wallMs / r.inProcessWallMs).toFixed(2)}× | | | |`);
  if (r.threads) {
    out.push("");
    out.push(`| CPU by thread | runner's thread | server's thread | the rest (V8 compiler and GC helpers, file-system pool) | all | all per test |`);
    out.push(`|---|---|---|---|---|---|`);
    for (const t of r.threads) {
      const all = t.runnerMs + (t.serverMs ?? 0) + t.backgroundMs;
      const name = t.placement === "thread" ? "server on its own thread (as `run`)" : "server in the runner's thread";
      out.push(`| ${name} | ${ms(t.runnerMs)}${t.serverMs === null ? " (runner and server)" : ""} | ${t.serverMs === null ? "—" : ms(t.serverMs)} | ${ms(t.backgroundMs)} | ${ms(all)} | ${(all / r.tests).toFixed(1)} ms |`);
    }
    out.push("");
    out.push(explainGap(r));
  }
  out.push("");
  out.push(`| phase | time |`);
  out.push(`|---|---|`);
  for (const p of r.phases) out.push(`| ${p.name} | ${ms(p.ms)} |`);
  out.push(`| (separately) \`mailconform run --list\` in a fresh process | ${ms(r.cliListMs)} |`);
  out.push("");
  out.push(`| protocol | tests | passed | failed | skipped | test time | probe |`);
  out.push(`|---|---|---|---|---|---|---|`);
  for (const p of r.protocols) out.push(`| ${p.protocol} | ${p.tests} | ${p.passed} | ${p.failed} | ${p.skipped} | ${ms(p.ms)} | ${ms(p.probeMs)} |`);
  out.push("");
  out.push(`| step kind | steps | time |`);
  out.push(`|---|---|---|`);
  for (const k of r.stepKinds) out.push(`| ${k.kind} | ${k.steps} | ${ms(k.ms)} |`);
  out.push("");
  out.push(`| heaviest step titles | steps | time |`);
  out.push(`|---|---|---|`);
  for (const t of r.heaviestTitles) out.push(`| \`${t.title.replace(/\|/g, "\\|")}\` | ${t.steps} | ${ms(t.ms)} |`);
  out.push("");
  out.push(`| slowest tests | time | heaviest step |`);
  out.push(`|---|---|---|`);
  for (const s of r.slowest) out.push(`| ${s.id} | ${ms(s.ms)} | ${s.heaviestStep} |`);
  out.push("");
  out.push(r.conditions);
  return out.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const one = process.argv.indexOf(ONE_RUN_FLAG);
  if (one >= 0) {
    await loadModules();
    const { wallMs, cpuMs, runnerCpuMs, serverCpuMs, exitCode } = await oneRun(process.argv[one + 1] as ServerPlacement);
    console.log(JSON.stringify({ wallMs, cpuMs, runnerCpuMs, serverCpuMs, exitCode } satisfies FreshRun));
  } else {
    console.log(formatFullRun(await benchFullRun()));
  }
}

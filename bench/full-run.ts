// Benchmark 5: a full conformance run (every bundled suite) against the
// bundled reference server, the way `mailconform run` does it: the server on
// a worker thread of its own, started while the suites load, the CLI's jobs
// and timeout. Its peer in the same run is the server in the runner's own
// thread (one event loop for both, as before issue 18); the variants
// alternate, BENCH_FULL_RUN_ROUNDS pairs (default 3), and the ratio is of
// their medians. In one process the peer's server code stays compiled from
// round to round while each thread run starts a fresh worker (as every
// `mailconform run` does): the fresh-process figure is the fair one.
// The wall time of the thread variant is split by phase (module loading,
// suite loading, waiting for the server, capability probes, tests, reports,
// server stop) and its test time by step kind, so the note can say where it
// goes; `mailconform run` in a fresh process (start-up included) is timed
// too. Goal: ≤ 5 s wall for that. Not a timed test.
// Standards: none (bench).

import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Protocol } from "../runner/model/ast.ts";
import type { StepResult, TestResult } from "../runner/model/result.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** How many of the slowest tests the report lists. */
const SLOWEST_SHOWN = 10;
/** Pairs of runs (thread, in-process), for medians of three. */
const ROUNDS = Number(process.env.BENCH_FULL_RUN_ROUNDS ?? 3);

/** Where the reference server runs: on its own worker thread (as `mailconform run`), or in the runner's thread. */
export type ServerPlacement = "thread" | "in-process";

export interface FullRunResult {
  /** Median wall time of the runs with the server on its own thread (in this process, modules already loaded). */
  wallMs: number;
  /** The same for the server in the runner's thread: the peer. */
  inProcessWallMs: number;
  /** Process CPU time (all threads) of those runs, medians. */
  cpuMs: number;
  inProcessCpuMs: number;
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

interface OneRun {
  wallMs: number;
  cpuMs: number;
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
  return { wallMs: end - began, cpuMs: (used.user + used.system) / 1000, exitCode, phases, probeMs, results };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchFullRun(): Promise<FullRunResult> {
  const began = performance.now();
  // The engines defaultDeps loads lazily, loaded here so their cost is its own phase (the worker loads the server's itself).
  await Promise.all([
    import("../runner/run/run.ts"), import("../runner/run/deps.ts"), import("../cli/reference-target.ts"), import("../cli/run.ts"),
    import("../runner/exec/run-test.ts"), import("../runner/exec/capabilities.ts"), import("../runner/suite/load.ts"), import("../reference-server/serve.ts"),
  ]);
  const moduleMs = performance.now() - began;
  const { BUNDLED_JOBS, DEFAULT_TIMEOUT_MS } = { ...(await import("../cli/reference-target.ts")), ...(await import("../runner/run/run.ts")) };
  const threaded: OneRun[] = [];
  const inProcess: OneRun[] = [];
  // Alternating, the thread variant first in even rounds, so neither always follows the other's garbage.
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) {
      threaded.push(await oneRun("thread"));
      inProcess.push(await oneRun("in-process"));
    } else {
      inProcess.push(await oneRun("in-process"));
      threaded.push(await oneRun("thread"));
    }
  }
  const detail = threaded[threaded.length - 1]!;
  const { phases, probeMs, results, exitCode } = detail;
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

  return {
    wallMs: median(threaded.map((r) => r.wallMs)),
    inProcessWallMs: median(inProcess.map((r) => r.wallMs)),
    cpuMs: median(threaded.map((r) => r.cpuMs)),
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
      `jobs ${BUNDLED_JOBS} (longest first), throwaway store (store.durable: false, no fsync), no after-run sweep (disposable target), step timeout ${DEFAULT_TIMEOUT_MS} ms, JSON + JUnit reports; ` +
      `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`,
  };
}

const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;

export function formatFullRun(r: FullRunResult): string {
  const out: string[] = [];
  out.push(`| bench | wall | CPU (all threads) | goal | exit code |`);
  out.push(`|---|---|---|---|---|`);
  out.push(`| \`mailconform run\` in a fresh process (start-up, all suites, reports) | ${ms(r.cliRunMs)} | | ≤ 5 s | ${r.cliRunExitCode} |`);
  out.push(`| full run in this process, server on its own thread (as \`run\`) | ${ms(r.wallMs)} | ${ms(r.cpuMs)} | | ${r.exitCode} |`);
  out.push(`| full run in this process, server in the runner's thread (peer) | ${ms(r.inProcessWallMs)} | ${ms(r.inProcessCpuMs)} | | |`);
  out.push(`| thread ÷ in-process wall | ${(r.wallMs / r.inProcessWallMs).toFixed(2)}× | | | |`);
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
  console.log(formatFullRun(await benchFullRun()));
}

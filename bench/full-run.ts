// Benchmark 5: a full conformance run (every bundled suite) against the
// bundled reference server, in process, the way `mailconform run` does it,
// with the wall time split by phase (module loading, server start, suite
// loading, capability probes, tests per protocol, reports, server stop) and
// the test time split by step kind, so the note can say where it goes.
// Goal: ≤ 10 s wall. Not a timed test; uses the CLI's defaults (jobs, timeout).
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

export interface FullRunResult {
  wallMs: number;
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

export async function benchFullRun(): Promise<FullRunResult> {
  const phases: { name: string; ms: number }[] = [];
  const began = performance.now();
  let mark = began;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, ms: now - mark });
    mark = now;
  };

  const { runConformance, DEFAULT_JOBS, DEFAULT_TIMEOUT_MS } = await import("../runner/run/run.ts");
  const { defaultDeps } = await import("../runner/run/deps.ts");
  const { startReferenceTarget } = await import("../cli/reference-target.ts");
  const { BUNDLED_SUITES } = await import("../cli/package-root.ts");
  // The engines defaultDeps loads lazily, loaded here so their cost is its own phase.
  await Promise.all([import("../runner/exec/run-test.ts"), import("../runner/exec/capabilities.ts"), import("../runner/suite/load.ts"), import("../reference-server/serve.ts")]);
  phase("module loading");

  const work = await mkdtemp(path.join(os.tmpdir(), "mailconform-bench-"));
  const probeMs = new Map<Protocol, number>();
  const results: TestResult[] = [];
  let lastTestEnd = 0;
  let stopMs = 0;
  let exitCode: number;
  try {
    exitCode = await runConformance(
      {
        paths: [BUNDLED_SUITES],
        target: {
          kind: "started",
          start: async () => {
            const acquired = await startReferenceTarget();
            phase("reference server start");
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
        jobs: DEFAULT_JOBS,
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
        probeCapabilities: async (target, protocol, timeoutMs) => {
          const t = performance.now();
          try {
            return await defaultDeps.probeCapabilities(target, protocol, timeoutMs);
          } finally {
            probeMs.set(protocol, performance.now() - t);
          }
        },
        runTest: async (test, env) => {
          if (results.length === 0) phase("capability probes (concurrent)");
          const result = await defaultDeps.runTest(test, env);
          results.push(result);
          lastTestEnd = performance.now();
          return result;
        },
      },
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const end = performance.now();
  phases.push({ name: "tests", ms: lastTestEnd - mark });
  phases.push({ name: "reports", ms: end - lastTestEnd - stopMs });
  phases.push({ name: "reference server stop", ms: stopMs });

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

  return {
    wallMs: end - began,
    exitCode,
    phases,
    protocols,
    stepKinds,
    heaviestTitles,
    slowest,
    cliListMs,
    conditions:
      `${results.length} tests from the bundled suites, reference server in process on ephemeral ports, ` +
      `jobs ${DEFAULT_JOBS}, step timeout ${DEFAULT_TIMEOUT_MS} ms, JSON + JUnit reports; ` +
      `Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`,
  };
}

const ms = (v: number): string => `${(v / 1000).toFixed(2)} s`;

export function formatFullRun(r: FullRunResult): string {
  const out: string[] = [];
  out.push(`| bench | wall | goal | exit code |`);
  out.push(`|---|---|---|---|`);
  out.push(`| full conformance run, reference server | ${ms(r.wallMs)} | ≤ 10 s | ${r.exitCode} |`);
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

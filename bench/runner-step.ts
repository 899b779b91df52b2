// Benchmark 1: the runner's cost per dialogue step against a plain node:net
// client doing the identical exchange with the same server, in one run.
// Reports a ratio (runner time / raw time); goal ≤ 1.1× (issue 18). Not a timed test.
// Rounds alternate raw and runner (and which goes first), so both see the same
// machine state on a shared 2-core box; the ratio is the median of per-round
// ratios, with the spread (min–max of them) in the conditions line.
// BENCH_STEPS / BENCH_ROUNDS make a longer run; BENCH_PROFILE=FILE instead
// records a CPU profile of the runner's timed rounds only (no raw rounds, no
// start-up; BENCH_PROFILE_SIDE=raw: the plain client's), to read with
// bench/profile-summary.ts.

import { writeFile } from "node:fs/promises";
import { Session as InspectorSession } from "node:inspector/promises";
import net from "node:net";
import os from "node:os";
import { runTest } from "../runner/exec/run-test.ts";
import type { Step, TestCase } from "../runner/model/ast.ts";
import type { Target } from "../runner/model/target.ts";

// Many short rounds rather than few long ones: a burst of load from another process spoils few pairs, and the median ignores them.
const STEPS_PER_DIALOGUE = Number(process.env.BENCH_STEPS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 301);
/** Untimed rounds of each side first: JIT warm-up, so the timed rounds compare steady states. */
const WARMUP_ROUNDS = 5;

/** An SMTP-shaped server: 220 greeting, then "250 ok" to every line, 221 + close on QUIT. */
function startEchoServer(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.write("220 bench ready\r\n");
    let pending = "";
    socket.on("data", (chunk) => {
      pending += chunk.toString("latin1");
      let i: number;
      while ((i = pending.indexOf("\r\n")) !== -1) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        if (line === "QUIT") {
          socket.end("221 bye\r\n");
          return;
        }
        socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The raw client: connect, read greeting, N × (send NOOP, read one line), QUIT. */
function rawDialogue(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    let buffered = "";
    let sent = 0;
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let i: number;
      while ((i = buffered.indexOf("\r\n")) !== -1) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (line.startsWith("221")) return;
        if (sent < STEPS_PER_DIALOGUE) {
          socket.write("NOOP\r\n");
          sent++;
        } else {
          socket.write("QUIT\r\n");
        }
      }
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}

function runnerDialogue(): TestCase {
  const span = { file: "bench", line: 1, col: 1 };
  const steps: Step[] = [];
  for (let i = 0; i < STEPS_PER_DIALOGUE; i++) {
    steps.push({ kind: "send", on: "main", span, line: { text: "NOOP", parts: ["NOOP"] } });
    steps.push({ kind: "expect", on: "main", span, expect: { protocol: "smtp", code: ["250"], captures: [], span } });
  }
  steps.push({ kind: "send", on: "main", span, line: { text: "QUIT", parts: ["QUIT"] } });
  steps.push({ kind: "expect", on: "main", span, expect: { protocol: "smtp", code: ["221"], captures: [], span } });
  steps.push({ kind: "expect-closed", on: "main", span });
  return {
    id: "bench.noop", title: "bench", refs: ["RFC 5321 §4.1.1.9"], level: "MUST", tags: [], requires: [],
    protocol: "smtp", file: "bench", span, connections: [], setup: [], steps, cleanup: [], finally: [],
  };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

export interface RunnerStepResult {
  rawUsPerStep: number;
  runnerUsPerStep: number;
  /** Median of the per-round ratios. */
  ratio: number;
  /** Quartiles of the per-round ratios (the spread that matters), and the extremes. */
  ratioP25: number;
  ratioP75: number;
  ratioMin: number;
  ratioMax: number;
  conditions: string;
}

export async function benchRunnerStep(): Promise<RunnerStepResult> {
  const server = await startEchoServer();
  const port = (server.address() as net.AddressInfo).port;
  const target: Target = {
    name: "bench", host: "127.0.0.1", domain: "bench.test", insecure: true,
    endpoints: { smtp: { port, tls: "none" } },
    // A password of realistic length: a one-letter one would redact that letter in every step title.
    users: [{ login: "bench", password: "bench-pw", address: "bench@bench.test" }],
  };
  const test = runnerDialogue();
  const raw: number[] = [];
  const runner: number[] = [];
  const ratios: number[] = [];
  // Process CPU time (both sides and the server share the process) moves less than wall time when
  // other processes take the cores; its ratio is reported next to the wall-time one.
  const cpuRatios: number[] = [];
  let lastCpuUs = 0;
  const timed = async (dialogue: () => Promise<void>): Promise<number> => {
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    await dialogue();
    const us = Number(process.hrtime.bigint() - t) / 1000 / STEPS_PER_DIALOGUE;
    const used = process.cpuUsage(cpu);
    lastCpuUs = (used.user + used.system) / STEPS_PER_DIALOGUE;
    return us;
  };
  const timeRaw = (): Promise<number> => timed(() => rawDialogue(port));
  const timeRunner = (): Promise<number> =>
    timed(async () => {
      const result = await runTest(test, { target, timeoutMs: 5000, runToken: "bench", emit: () => {} });
      if (result.status !== "passed") throw new Error(`bench dialogue did not pass: ${result.failure?.message}`);
    });
  try {
    for (let r = 0; r < WARMUP_ROUNDS; r++) {
      await timeRaw();
      await timeRunner();
    }
    const profileFile = process.env.BENCH_PROFILE;
    if (profileFile) {
      const inspector = new InspectorSession();
      inspector.connect();
      await inspector.post("Profiler.enable");
      await inspector.post("Profiler.setSamplingInterval", { interval: 50 });
      await inspector.post("Profiler.start");
      // BENCH_PROFILE_SIDE=raw profiles the plain client instead, for comparison.
      const side = process.env.BENCH_PROFILE_SIDE === "raw" ? timeRaw : timeRunner;
      for (let r = 0; r < ROUNDS; r++) runner.push(await side());
      const { profile } = await inspector.post("Profiler.stop");
      await writeFile(profileFile, JSON.stringify(profile));
      inspector.disconnect();
      return {
        rawUsPerStep: Number.NaN, runnerUsPerStep: median(runner), ratio: Number.NaN,
        ratioP25: Number.NaN, ratioP75: Number.NaN, ratioMin: Number.NaN, ratioMax: Number.NaN,
        conditions: `profile written to ${profileFile}`,
      };
    }
    // Alternate which side goes first, so neither always runs right after a GC of the other.
    for (let r = 0; r < ROUNDS; r++) {
      let rawUs: number;
      let runnerUs: number;
      let rawCpu: number;
      let runnerCpu: number;
      if (r % 2 === 0) {
        rawUs = await timeRaw();
        rawCpu = lastCpuUs;
        runnerUs = await timeRunner();
        runnerCpu = lastCpuUs;
      } else {
        runnerUs = await timeRunner();
        runnerCpu = lastCpuUs;
        rawUs = await timeRaw();
        rawCpu = lastCpuUs;
      }
      raw.push(rawUs);
      runner.push(runnerUs);
      ratios.push(runnerUs / rawUs);
      cpuRatios.push(runnerCpu / rawCpu);
    }
  } finally {
    server.close();
  }
  const rawUsPerStep = median(raw);
  const runnerUsPerStep = median(runner);
  const ratio = median(ratios);
  const ratioP25 = quantile(ratios, 0.25);
  const ratioP75 = quantile(ratios, 0.75);
  const ratioMin = Math.min(...ratios);
  const ratioMax = Math.max(...ratios);
  return {
    rawUsPerStep,
    runnerUsPerStep,
    ratio,
    ratioP25,
    ratioP75,
    ratioMin,
    ratioMax,
    conditions:
      `${STEPS_PER_DIALOGUE} NOOP/250 round trips per dialogue, ${WARMUP_ROUNDS} warm-up + ${ROUNDS} timed rounds alternating raw/runner; ` +
      `ratio = median of per-round ratios (interquartile ${ratioP25.toFixed(2)}–${ratioP75.toFixed(2)}×, extremes ${ratioMin.toFixed(2)}–${ratioMax.toFixed(2)}×); ` +
      `CPU-time ratio ${median(cpuRatios).toFixed(2)}× (interquartile ${quantile(cpuRatios, 0.25).toFixed(2)}–${quantile(cpuRatios, 0.75).toFixed(2)}×); ` +
      `client and server in one process, one connection, 127.0.0.1, Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}`,
  };
}

/** The table this bench prints; `markdown` adds the separator row RESULTS.md needs (the console form stays as it was). */
export function formatRunnerStep(r: RunnerStepResult, markdown = false): string {
  return [
    `| bench | raw µs/step | runner µs/step | ratio | goal |`,
    ...(markdown ? ["|---|---|---|---|---|"] : []),
    `| runner step cost | ${r.rawUsPerStep.toFixed(1)} | ${r.runnerUsPerStep.toFixed(1)} | ${r.ratio.toFixed(2)}× | ≤ 1.1× |`,
    ...(markdown ? [""] : []),
    r.conditions,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatRunnerStep(await benchRunnerStep()));
}

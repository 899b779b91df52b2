// Benchmark 1: the runner's cost per dialogue step against a plain node:net
// client doing the identical exchange with the same server, in one run.
// Reports a ratio (runner time / raw time); goal ≤ 1.3×. Not a timed test.

import net from "node:net";
import { runTest } from "../runner/exec/run-test.ts";
import type { Step, TestCase } from "../runner/model/ast.ts";
import type { Target } from "../runner/model/target.ts";

const STEPS_PER_DIALOGUE = 200;
const ROUNDS = 7;

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
    steps.push({ kind: "send", on: "main", span, line: "NOOP" });
    steps.push({ kind: "expect", on: "main", span, expect: { protocol: "smtp", code: ["250"], captures: [], span } });
  }
  steps.push({ kind: "send", on: "main", span, line: "QUIT" });
  steps.push({ kind: "expect", on: "main", span, expect: { protocol: "smtp", code: ["221"], captures: [], span } });
  steps.push({ kind: "expect-closed", on: "main", span });
  return {
    id: "bench.noop", title: "bench", refs: ["RFC 5321 §4.1.1.9"], level: "MUST", tags: [], requires: [],
    protocol: "smtp", file: "bench", span, connections: [], setup: [], steps, cleanup: [], finally: [],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function benchRunnerStep(): Promise<{ rawUsPerStep: number; runnerUsPerStep: number; ratio: number; conditions: string }> {
  const server = await startEchoServer();
  const port = (server.address() as net.AddressInfo).port;
  const target: Target = {
    name: "bench", host: "127.0.0.1", domain: "bench.test", insecure: true,
    endpoints: { smtp: { port, tls: "none" } }, users: [{ login: "u", password: "p", address: "u@bench.test" }],
  };
  const test = runnerDialogue();
  const raw: number[] = [];
  const runner: number[] = [];
  try {
    // One warm-up of each, then alternate so both see the same machine state.
    await rawDialogue(port);
    await runTest(test, { target, timeoutMs: 5000, runToken: "bench", emit: () => {} });
    for (let r = 0; r < ROUNDS; r++) {
      let t = process.hrtime.bigint();
      await rawDialogue(port);
      raw.push(Number(process.hrtime.bigint() - t) / 1000 / STEPS_PER_DIALOGUE);
      t = process.hrtime.bigint();
      const result = await runTest(test, { target, timeoutMs: 5000, runToken: "bench", emit: () => {} });
      runner.push(Number(process.hrtime.bigint() - t) / 1000 / STEPS_PER_DIALOGUE);
      if (result.status !== "passed") throw new Error(`bench dialogue did not pass: ${result.failure?.message}`);
    }
  } finally {
    server.close();
  }
  const rawUsPerStep = median(raw);
  const runnerUsPerStep = median(runner);
  return {
    rawUsPerStep,
    runnerUsPerStep,
    ratio: runnerUsPerStep / rawUsPerStep,
    conditions: `${STEPS_PER_DIALOGUE} NOOP/250 round trips per dialogue, median of ${ROUNDS} rounds, one connection, 127.0.0.1, Node ${process.version}`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchRunnerStep();
  console.log(`| bench | raw µs/step | runner µs/step | ratio | goal |`);
  console.log(`| runner step cost | ${r.rawUsPerStep.toFixed(1)} | ${r.runnerUsPerStep.toFixed(1)} | ${r.ratio.toFixed(2)}× | ≤ 1.3× |`);
  console.log(r.conditions);
}

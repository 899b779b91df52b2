// One run of a protocol's suite in a work copy, as a user runs it: the
// command line in a child process against the bundled reference server
// (ephemeral ports), read back through its JSON report only. The child gets a
// process group of its own so that a timeout or Ctrl-C ends all of it.
// Standards: none (tooling).

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { WorkCopy } from "./workcopy.ts";

export type Verdict =
  /** Tests ran and at least one failed or errored: `failing` holds their ids. */
  | { kind: "failed"; failing: string[]; passed: number }
  /** Tests ran and every one passed (or was skipped). */
  | { kind: "passed"; passed: number }
  /** Over the wall-clock limit: the run was killed. */
  | { kind: "timed-out" }
  /** No usable report: the command or the server did not get as far as running tests. */
  | { kind: "broken"; detail: string };

export interface Outcome {
  verdict: Verdict;
  durationMs: number;
}

/** Running children, so that an interrupt can end them (each is a process group). */
const running = new Map<ChildProcess, Promise<void>>();

/** Grace before SIGKILL: on SIGTERM the command stops its tests, writes its report and removes its server's data. */
const STOP_GRACE_MS = 3000;

/** Ends every running suite run; resolves when all have exited. */
export async function stopAllRuns(): Promise<void> {
  await Promise.all([...running.keys()].map((child) => stop(child)));
}

function stop(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  signal("SIGTERM");
  const hard = setTimeout(() => signal("SIGKILL"), STOP_GRACE_MS);
  return (running.get(child) ?? Promise.resolve()).finally(() => clearTimeout(hard));
}

/** Longest a mutated module may take to load in a child before the mutant counts as broken. */
const LOAD_CHECK_TIMEOUT_MS = 60_000;

/**
 * Whether the mutated files still load (through tsx, as the run would): a
 * "broken" verdict for one that does not. The server loads each protocol's
 * engine at that protocol's first connection (core/listener.ts), so a run
 * would show a module that no longer loads as failing tests — a kill no
 * behaviour earned. Null when they load.
 */
export function loadCheck(copy: WorkCopy, files: readonly string[]): Promise<Verdict | null> {
  const script =
    `try { for (const f of ${JSON.stringify(files)}) await import(new URL(f, "file://" + process.cwd() + "/").href); }` +
    ` catch (e) { process.stderr.write(String(e?.message ?? e)); process.exit(1); }`;
  const child = spawn(process.execPath, ["--import=tsx", "--input-type=module", "-e", script], { cwd: copy.dir, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  running.set(child, new Promise((resolve) => child.on("close", () => resolve())));
  let output = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (output.length < 8000) output += chunk.toString("utf8");
  });
  const timer = setTimeout(() => void stop(child), LOAD_CHECK_TIMEOUT_MS);
  return new Promise((resolve) => {
    const done = (code: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      running.delete(child);
      if (spawnError) resolve({ kind: "broken", detail: spawnError.message });
      else if (code === 0) resolve(null);
      else resolve({ kind: "broken", detail: `could not load ${files.join(", ")}: ${firstLines(output.replaceAll(copy.dir + path.sep, "")) || `exit ${code ?? "by signal"}`}` });
    };
    child.on("error", (e) => done(null, e));
    child.on("close", (code) => done(code));
  });
}

/** The suites that exercise a protocol's engine: the SMTP engine also serves LMTP (RFC 2033), so its mutants face both. */
const SUITES_OF: Record<string, string[]> = { smtp: ["suites/smtp", "suites/lmtp"] };

/** `node bin/mailconform.js run suites/<protocol> --bail --quiet --report-json <file>` in the copy. */
export function runSuite(copy: WorkCopy, protocol: string, timeoutMs: number): Promise<Outcome> {
  const report = path.join(copy.dir, "mutant-report.json");
  rmSync(report, { force: true });
  const started = performance.now();
  const args = ["bin/mailconform.js", "run", ...(SUITES_OF[protocol] ?? [`suites/${protocol}`]), "--bail", "--quiet", "--report-json", report];
  // npm_command would make the CLI watch its launcher (bin/mailconform.js); we are not npm, and we kill it ourselves.
  const env = { ...process.env, npm_command: undefined, NO_COLOR: "1" };
  const child = spawn(process.execPath, args, { cwd: copy.dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.set(child, new Promise((resolve) => child.on("close", () => resolve())));
  let output = "";
  const keep = (chunk: Buffer) => {
    // The start says why a run broke ("could not start the reference server: …"); a --quiet run prints little else.
    if (output.length < 8000) output += chunk.toString("utf8");
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(child);
  }, timeoutMs);
  return new Promise((resolve) => {
    const done = (code: number | null, spawnError?: Error) => {
      clearTimeout(timer);
      running.delete(child);
      const durationMs = performance.now() - started;
      const verdict: Verdict = timedOut
        ? { kind: "timed-out" }
        : spawnError
          ? { kind: "broken", detail: spawnError.message }
          : readVerdict(report, code, output.replaceAll(copy.dir + path.sep, ""));
      resolve({ verdict, durationMs });
    };
    child.on("error", (e) => done(null, e));
    child.on("close", (code) => done(code));
  });
}

interface ReportTest {
  id: string;
  status: string;
}

/** The verdict from the JSON report the run wrote; none, or one without a test run, is a broken run. */
function readVerdict(file: string, code: number | null, output: string): Verdict {
  const why = () => `exit ${code ?? "by signal"}: ${firstLines(output) || "no output"}`;
  if (!existsSync(file)) return { kind: "broken", detail: `no report written (${why()})` };
  let tests: ReportTest[];
  try {
    tests = (JSON.parse(readFileSync(file, "utf8")) as { tests: ReportTest[] }).tests;
  } catch (e) {
    return { kind: "broken", detail: `unreadable report: ${(e as Error).message}` };
  }
  const failing = tests.filter((t) => t.status === "failed" || t.status === "error").map((t) => t.id);
  const passed = tests.filter((t) => t.status === "passed").length;
  if (failing.length > 0) return { kind: "failed", failing, passed };
  // Exit 2 (invalid suite or usage), 3 (the server unreachable), or no test passing: the run never got going.
  if (code !== 0 || passed === 0) return { kind: "broken", detail: `no test ran to a verdict (${why()})` };
  return { kind: "passed", passed };
}

/** The first lines of the output that are not a stack trace's frames. */
function firstLines(output: string): string {
  const lines = output.split("\n").map((l) => l.trim());
  return lines.filter((l) => l !== "" && !l.startsWith("at ")).slice(0, 2).join(" | ").slice(0, 400);
}

// Benchmark 6: start-up of the `mailconform` command, the sources through tsx
// (what a checkout runs while dist/ is stale, and all the bin did before
// dist/) against the compiled dist/ (what the installed package runs), next
// to a bare `node`: `--help`, `run --list` of the bundled suites, and a
// one-test run against the bundled reference server. Median of 5 fresh
// processes each, the forms alternating; dist/ is rebuilt first so both run
// the same code. Each cell gives wall time and the process's CPU time (every
// thread, user + system): on a loaded machine the CPU time is the steadier.
// The peer of the parsed-suite cache is dist/ under --no-cache (every suite
// parsed from YAML, as before the cache), measured in the same rounds.
// Standards: none (bench).

import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { markdownTable } from "./lib/table.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ROUNDS = 5;
/** One test, so the run's figure is start-up and loading, not testing. */
const ONE_TEST = "^smtp\\.transaction\\.basic$";

export interface StartupRow {
  command: string;
  /** Median wall milliseconds: bare node (the floor), sources through tsx, compiled dist/. */
  nodeMs: number;
  tsxMs: number;
  distMs: number;
  /** dist/ with MAILCONFORM_NO_CACHE=1: every suite file parsed. */
  distNoCacheMs: number;
  /** Median CPU milliseconds (user + system, all threads) of the same processes. */
  nodeCpuMs: number;
  tsxCpuMs: number;
  distCpuMs: number;
  distNoCacheCpuMs: number;
}

export interface StartupResult {
  rows: StartupRow[];
  /**
   * The one-test run's floor, measured in the same rounds as its row: the
   * bundled server alone started on its worker thread and stopped (from
   * dist/, no runner, no suites), median wall and CPU milliseconds.
   */
  serverAlone: { wallMs: number; cpuMs: number };
  conditions: string;
}

/** Written to stderr as the process exits: its CPU time in microseconds (process.cpuUsage covers every thread). */
const CPU_MARK = "startup-bench-cpu-us";
const REPORT_CPU = `process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("\\n${CPU_MARK} " + (u.user + u.system) + "\\n"); });`;

/** The bin's last two lines, loading `main` from `module`; with tsx registered when the module is TypeScript. */
function entry(module: string): string[] {
  const load = `${REPORT_CPU} const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, module)).href)}); process.exitCode = await main(process.argv.slice(1));`;
  // tsx resolved from here: the processes run in a scratch folder with no node_modules.
  // `--`: without it node takes a following `--help` as its own.
  return [...(module.endsWith(".ts") ? [`--import=${import.meta.resolve("tsx")}`] : []), "--input-type=module", "-e", load, "--"];
}

/** A process that starts the bundled server on its worker thread from dist/ and stops it: what a run against it cannot do without. */
function serverAloneEntry(): string[] {
  const target = JSON.stringify(pathToFileURL(path.join(ROOT, "dist", "cli", "reference-target.js")).href);
  return ["--input-type=module", "-e", `${REPORT_CPU} const { startReferenceTargetThread } = await import(${target}); await (await startReferenceTargetThread()).release();`];
}

/** Wall and CPU milliseconds of one fresh process; it must exit 0. Its suite cache is the scratch folder's (filled by the warm-up), never the user's. */
function timed(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): { wallMs: number; cpuMs: number } {
  const env = { ...process.env, XDG_CACHE_HOME: path.join(cwd, "cache"), ...extraEnv };
  const began = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - began;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr}`);
  const cpu = new RegExp(`^${CPU_MARK} (\\d+)$`, "m").exec(r.stderr);
  if (!cpu) throw new Error(`node ${args.join(" ")} did not report its CPU time: ${r.stderr}`);
  return { wallMs, cpuMs: Number(cpu[1]) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStartup(): Promise<StartupResult> {
  const build = spawnSync(process.execPath, [path.join(ROOT, "bin", "build-dist.js")], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`bin/build-dist.js failed: ${build.stdout}${build.stderr}`);
  const work = await mkdtemp(path.join(os.tmpdir(), "mailconform-bench-startup-"));
  try {
    const commands: { command: string; argv: string[] }[] = [
      { command: "mailconform --help", argv: ["--help"] },
      { command: "mailconform run --list (the bundled suites)", argv: ["run", "--list"] },
      { command: "mailconform run (one test, bundled server)", argv: ["run", "--grep", ONE_TEST, "--report-json", path.join(work, "r.json")] },
    ];
    const rows: StartupRow[] = [];
    const serverAlone: { wallMs: number; cpuMs: number }[] = [];
    for (const { command, argv } of commands) {
      const tsx = entry("cli/main.ts").concat(argv);
      const dist = entry("dist/cli/main.js").concat(argv);
      // Warm-up: tsx's transform cache and the OS file cache, as for anyone running it twice.
      timed(tsx, work);
      timed(dist, work);
      type Sample = { wallMs: number; cpuMs: number };
      const samples = { node: [] as Sample[], tsx: [] as Sample[], dist: [] as Sample[], distNoCache: [] as Sample[] };
      for (let i = 0; i < ROUNDS; i++) {
        samples.node.push(timed(["--input-type=module", "-e", REPORT_CPU], work));
        samples.tsx.push(timed(tsx, work));
        samples.dist.push(timed(dist, work));
        samples.distNoCache.push(timed(dist, work, { MAILCONFORM_NO_CACHE: "1" }));
        if (command === commands.at(-1)!.command) serverAlone.push(timed(serverAloneEntry(), work));
      }
      const wall = (xs: { wallMs: number }[]) => median(xs.map((x) => x.wallMs));
      const cpu = (xs: { cpuMs: number }[]) => median(xs.map((x) => x.cpuMs));
      rows.push({
        command,
        nodeMs: wall(samples.node), tsxMs: wall(samples.tsx), distMs: wall(samples.dist), distNoCacheMs: wall(samples.distNoCache),
        nodeCpuMs: cpu(samples.node), tsxCpuMs: cpu(samples.tsx), distCpuMs: cpu(samples.dist), distNoCacheCpuMs: cpu(samples.distNoCache),
      });
    }
    return { rows, serverAlone: { wallMs: median(serverAlone.map((x) => x.wallMs)), cpuMs: median(serverAlone.map((x) => x.cpuMs)) }, conditions: `median of ${ROUNDS} fresh processes per cell, after one warm-up; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function formatStartup(result: StartupResult): string {
  const ms = (wall: number, cpu: number) => `${Math.round(wall)} ms (CPU ${Math.round(cpu)})`;
  const table = markdownTable(
    ["command", "bare node -e 0", "sources through tsx (a checkout, stale dist/)", "compiled dist/ (the package)", "dist/ --no-cache (every suite parsed)", "dist ÷ tsx (wall, CPU)", "dist ÷ dist --no-cache (wall, CPU)"],
    result.rows.map((r) => [
      r.command, ms(r.nodeMs, r.nodeCpuMs), ms(r.tsxMs, r.tsxCpuMs), ms(r.distMs, r.distCpuMs), ms(r.distNoCacheMs, r.distNoCacheCpuMs),
      `${(r.distMs / r.tsxMs).toFixed(2)}×, ${(r.distCpuMs / r.tsxCpuMs).toFixed(2)}×`,
      `${(r.distMs / r.distNoCacheMs).toFixed(2)}×, ${(r.distCpuMs / r.distNoCacheCpuMs).toFixed(2)}×`,
    ]),
  );
  const run = result.rows.at(-1)!;
  const floor =
    `The one-test run's floor, measured in the same rounds: the bundled server alone, started on its worker thread and stopped ` +
    `(no runner, no suites), takes ${ms(result.serverAlone.wallMs, result.serverAlone.cpuMs)}, ` +
    `${Math.round((100 * result.serverAlone.wallMs) / run.distMs)} % of the run's wall time; of that, a bare node process is ${Math.round(run.nodeMs)} ms. ` +
    `The run loads the runner and the suites on the main thread while the server's thread starts (cli/run.ts), ` +
    `so what the run adds to that floor (${Math.round(run.distMs - result.serverAlone.wallMs)} ms) is the test, the reports and whatever of the runner's loading does not overlap.`;
  return `${table}\n\n${floor}\n\n${result.conditions}; cells: wall time (CPU time of every thread, user + system). tsx runs read the parsed suites from the user cache the warm-up filled (here a scratch XDG_CACHE_HOME), dist/ from dist/suites-cache.`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatStartup(await benchStartup()));
}

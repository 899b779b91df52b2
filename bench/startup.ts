// Benchmark 6: start-up of the `mailconform` command, the sources through tsx
// (what a checkout runs while dist/ is stale, and all the bin did before
// dist/) against the compiled dist/ (what the installed package runs), next
// to a bare `node`: `--help`, and a one-test run against the bundled reference
// server. Median of 5 fresh processes each, the forms alternating; dist/ is
// rebuilt first so both run the same code.
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
}

export interface StartupResult {
  rows: StartupRow[];
  conditions: string;
}

/** The bin's last two lines, loading `main` from `module`; with tsx registered when the module is TypeScript. */
function entry(module: string): string[] {
  const load = `const { main } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, module)).href)}); process.exitCode = await main(process.argv.slice(1));`;
  // tsx resolved from here: the processes run in a scratch folder with no node_modules.
  return [...(module.endsWith(".ts") ? [`--import=${import.meta.resolve("tsx")}`] : []), "--input-type=module", "-e", load];
}

/** Wall milliseconds of one fresh process; it must exit 0. */
function timed(args: string[], cwd: string): number {
  const began = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 120_000 });
  const ms = performance.now() - began;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStartup(): Promise<StartupResult> {
  const build = spawnSync(process.execPath, [path.join(ROOT, "bin", "build-dist.js")], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  if (build.status !== 0) throw new Error(`bin/build-dist.js failed: ${build.stdout}${build.stderr}`);
  const work = await mkdtemp(path.join(os.tmpdir(), "mailconform-bench-startup-"));
  try {
    const commands: { command: string; argv: string[] }[] = [
      { command: "mailconform --help", argv: ["--help"] },
      { command: "mailconform run (one test, bundled server)", argv: ["run", "--grep", ONE_TEST, "--report-json", path.join(work, "r.json")] },
    ];
    const rows: StartupRow[] = [];
    for (const { command, argv } of commands) {
      const tsx = entry("cli/main.ts").concat(argv);
      const dist = entry("dist/cli/main.js").concat(argv);
      // Warm-up: tsx's transform cache and the OS file cache, as for anyone running it twice.
      timed(tsx, work);
      timed(dist, work);
      const samples = { node: [] as number[], tsx: [] as number[], dist: [] as number[] };
      for (let i = 0; i < ROUNDS; i++) {
        samples.node.push(timed(["-e", "0"], work));
        samples.tsx.push(timed(tsx, work));
        samples.dist.push(timed(dist, work));
      }
      rows.push({ command, nodeMs: median(samples.node), tsxMs: median(samples.tsx), distMs: median(samples.dist) });
    }
    return { rows, conditions: `median of ${ROUNDS} fresh processes per cell, after one warm-up; Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(2)}` };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export function formatStartup(result: StartupResult): string {
  const ms = (x: number) => `${Math.round(x)} ms`;
  const table = markdownTable(
    ["command", "bare node -e 0", "sources through tsx (a checkout, stale dist/)", "compiled dist/ (the package)", "dist ÷ tsx"],
    result.rows.map((r) => [r.command, ms(r.nodeMs), ms(r.tsxMs), ms(r.distMs), `${(r.distMs / r.tsxMs).toFixed(2)}×`]),
  );
  return `${table}\n\n${result.conditions}. The one-test run loads and parses every bundled suite before --grep selects (most of its time either way).`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatStartup(await benchStartup()));
}

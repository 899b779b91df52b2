// The reference server in its own process for benchmarks: a fair peer for
// Postfix and Dovecot (each has its own processes and CPU), and the only way
// to read the server's RSS apart from the load generator's. With
// BENCH_PROFILE_DIR set the child runs under `node --cpu-prof` and leaves a
// .cpuprofile there (read it with bench/profile-summary.ts). With `compiled`
// the child runs dist/ in a bare node, as the installed package does (built
// first when stale), instead of the sources through tsx.
// Standards: none (bench tooling).

import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Target } from "../../runner/model/target.ts";

const ENTRY = fileURLToPath(new URL("reference-child-main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 30_000;

export interface ReferenceChild {
  pid: number;
  dataDir: string;
  ports: { smtp: number; pop3: number; imap: number };
  target: Target;
  /** The child's RSS in bytes after a full garbage collection. */
  rss(): Promise<number>;
  /**
   * RSS after two full GCs (the young generation as the last burst of work
   * left it), and settled: after a memory-reducing GC that gives it back too.
   */
  memory(): Promise<{ afterGc: number; settled: number }>;
  /** "compiled dist/" or "sources through tsx": what the child runs. */
  runs: string;
  close(): Promise<void>;
}

interface Ready {
  type: "ready";
  ports: { smtp: number; pop3: number; imap: number };
  host: string;
  domain: string;
  users: { login: string; password: string; address: string }[];
  pid: number;
}

export interface ReferenceChildOptions {
  /** Name of the .cpuprofile written when BENCH_PROFILE_DIR is set. */
  profileName?: string;
  /** Open files the child needs: its soft `ulimit -n` is raised to this (through a shell) before node starts. */
  openFiles?: number;
  /** Extra users load0..load{N-1} with password "<login>-pw" (per-user session limits stay as configured). */
  loadUsers?: number;
  /** Raise the per-address connection cap (all bench clients come from 127.0.0.1). */
  maxPerAddress?: number;
  /** Run the compiled dist/ in a bare node (what users run), rebuilt first if the sources are newer. */
  compiled?: boolean;
  /** Extra node flags for the child (e.g. --perf-basic-prof, so that perf(1) names JavaScript frames). */
  nodeFlags?: string[];
}

/**
 * dist/ as built from the sources as they are now (bin/build-dist.js when it
 * is stale); null when it cannot be built (a type error mid-edit): the child
 * then runs the sources, and says so.
 */
let distBuilt: Promise<string | null> | null = null;
function currentDist(): Promise<string | null> {
  distBuilt ??= buildDist();
  return distBuilt;
}

async function buildDist(): Promise<string | null> {
  const { distIsCurrent } = (await import(pathToFileURL(path.join(ROOT, "bin", "checkout.js")).href)) as { distIsCurrent(root: URL): boolean };
  if (!distIsCurrent(pathToFileURL(ROOT))) {
    const build = spawnSync(process.execPath, [path.join(ROOT, "bin", "build-dist.js")], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
    if (build.status !== 0) {
      process.stderr.write(`reference child: bin/build-dist.js failed, running the sources instead:\n${build.stdout}${build.stderr}`);
      return null;
    }
  }
  return path.join(ROOT, "dist");
}

export async function startReferenceChild(options: ReferenceChildOptions = {}): Promise<ReferenceChild> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "mc-bench-reference-"));
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const dist = options.compiled ? await currentDist() : null;
  const execArgv = dist !== null ? ["--expose-gc"] : ["--import=tsx", "--expose-gc"];
  execArgv.push(...(options.nodeFlags ?? []));
  if (profileDir && options.profileName) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${options.profileName}.cpuprofile`);
  const serverRoot = dist ?? ROOT.replace(/\/$/, "");
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_REFERENCE_DATA: dataDir, BENCH_REFERENCE_ROOT: serverRoot };
  if (options.loadUsers) env.BENCH_REFERENCE_LOAD_USERS = String(options.loadUsers);
  if (options.maxPerAddress) env.BENCH_REFERENCE_MAX_PER_ADDRESS = String(options.maxPerAddress);
  // Node cannot raise its own RLIMIT_NOFILE: a shell does, then exec's node, which keeps the IPC descriptor.
  const child: ChildProcess =
    options.openFiles === undefined
      ? fork(ENTRY, [], { execArgv, env, stdio: ["ignore", "inherit", "inherit", "ipc"] })
      : spawn("bash", ["-c", `ulimit -n ${options.openFiles} && exec "$0" "$@"`, process.execPath, ...execArgv, ENTRY], { env, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <T>(type: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`reference child: no "${type}" within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: { type: string }) => m.type === type && finish(undefined, m as T);
      const onExit = (code: number | null) => finish(new Error(`reference child exited (${code}) before "${type}"`));
      const finish = (error?: Error, value?: T) => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        if (error) reject(error);
        else resolve(value!);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  let ready: Ready;
  try {
    ready = await next<Ready>("ready", START_TIMEOUT_MS);
  } catch (e) {
    child.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  const memory = async () => {
    const reply = next<{ rss: number; settledRss: number }>("rss", REPLY_TIMEOUT_MS);
    child.send({ type: "rss" });
    try {
      const { rss, settledRss } = await reply;
      return { afterGc: rss, settled: settledRss };
    } catch (error) {
      // A child that stopped answering must not outlive the bench.
      child.kill("SIGKILL");
      throw error;
    }
  };
  return {
    pid: ready.pid,
    dataDir,
    ports: ready.ports,
    target: {
      name: "reference",
      host: ready.host,
      domain: ready.domain,
      insecure: true,
      users: ready.users.map((u) => ({ login: u.login, password: u.password, address: u.address })),
      endpoints: {
        smtp: { port: ready.ports.smtp, tls: "none" },
        pop3: { port: ready.ports.pop3, tls: "none" },
        imap: { port: ready.ports.imap, tls: "none" },
      },
    },
    runs: dist !== null ? "compiled dist/" : options.compiled ? "sources through tsx (dist/ could not be built)" : "sources through tsx",
    async rss() {
      return (await memory()).afterGc;
    },
    memory,
    async close() {
      if (child.exitCode === null && child.connected) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.send({ type: "close" });
        const timer = setTimeout(() => child.kill("SIGKILL"), REPLY_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

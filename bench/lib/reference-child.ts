// The reference server in its own process for benchmarks: a fair peer for
// Postfix and Dovecot (each has its own processes and CPU), and the only way
// to read the server's RSS apart from the load generator's. With
// BENCH_PROFILE_DIR set the child runs under `node --cpu-prof` and leaves a
// .cpuprofile there (read it with bench/profile-summary.ts).
// Standards: none (bench tooling).

import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Target } from "../../runner/model/target.ts";

const ENTRY = fileURLToPath(new URL("reference-child-main.ts", import.meta.url));
const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 30_000;

export interface ReferenceChild {
  pid: number;
  dataDir: string;
  ports: { smtp: number; pop3: number; imap: number };
  target: Target;
  /** The child's RSS in bytes after a full garbage collection. */
  rss(): Promise<number>;
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
}

export async function startReferenceChild(options: ReferenceChildOptions = {}): Promise<ReferenceChild> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "mc-bench-reference-"));
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const execArgv = ["--import=tsx", "--expose-gc"];
  if (profileDir && options.profileName) execArgv.push("--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${options.profileName}.cpuprofile`);
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_REFERENCE_DATA: dataDir };
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
    async rss() {
      const reply = next<{ rss: number }>("rss", REPLY_TIMEOUT_MS);
      child.send({ type: "rss" });
      return (await reply).rss;
    },
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

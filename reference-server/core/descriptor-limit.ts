// The connection limit under the file-descriptor limit. At start the soft
// RLIMIT_NOFILE is raised to the hard one (Node has no setrlimit: prlimit(1)
// on our own pid), then connections.maxTotal is lowered to what fits with
// room left for the store and the process itself. Without this, maxTotal
// (20,000) equalled the inherited limit: accept() failed with EMFILE (clients
// closed with 0 bytes) and sessions already open got 451 / NO [UNAVAILABLE]
// because the store could not open files. Where the limit cannot be read or
// raised (no /proc, no prlimit, no permission) the server carries on with what it has.
// Standards: POSIX getrlimit/setrlimit (RLIMIT_NOFILE), RFC 5321 §3.8 (421 instead of silence).

import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface DescriptorLimit {
  soft: number;
  hard: number;
}

// Descriptors the process holds besides client sockets: stdio, the event
// loop, six listeners, libuv's thread pool, TLS; about 30 measured at start.
const PROCESS_DESCRIPTORS = 64;
// The Maildir store keeps up to three descriptors per busy mailbox (journal,
// new/, cur/ for COMMIT_FILES_IDLE_MS) and one per delivery or read in flight;
// a quarter of the rest is left to it.
const STORE_SHARE = 0.25;
// Linux's ceiling for RLIMIT_NOFILE when the hard limit reads "unlimited".
const DEFAULT_NR_OPEN = 1 << 20;

/** How many connections fit under `limit` (null: unknown, keep `configured`), never more than `configured`. */
export function connectionLimit(limit: DescriptorLimit | null, configured: number): number {
  if (limit === null) return configured;
  const fit = Math.floor((limit.soft - PROCESS_DESCRIPTORS) * (1 - STORE_SHARE));
  return Math.max(1, Math.min(configured, fit));
}

/** RLIMIT_NOFILE of this process (or of `pid`, Linux only), or null where it cannot be read. */
export function readDescriptorLimit(pid: number | "self" = "self"): DescriptorLimit | null {
  try {
    // "Max open files            1024                 524288               files"
    const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const match = line && /^Max open files\s+(\S+)\s+(\S+)/.exec(line);
    if (match) return { soft: parseLimit(match[1]!), hard: parseLimit(match[2]!) };
  } catch {
    // Not Linux: ask a shell, which inherits our limits.
  }
  if (pid !== "self") return null;
  try {
    const [soft, hard] = execFileSync("/bin/sh", ["-c", "ulimit -S -n; ulimit -H -n"], { encoding: "utf8", timeout: 5000 }).trim().split(/\s+/);
    if (soft && hard) return { soft: parseLimit(soft), hard: parseLimit(hard) };
  } catch {
    // No shell either: the limit stays unknown.
  }
  return null;
}

let raisedOnce: DescriptorLimit | null | undefined;

/**
 * Raise the soft limit to the hard limit (once per process) and return the
 * limit in force afterwards. `log` hears what happened when it could not be raised.
 */
export function raiseDescriptorLimit(log: ((line: string) => void) | null = null): DescriptorLimit | null {
  if (raisedOnce !== undefined) return raisedOnce;
  const before = readDescriptorLimit();
  raisedOnce = before;
  if (before === null || before.soft >= before.hard) return before;
  const target = Number.isFinite(before.hard) ? before.hard : nrOpen();
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${target}:${before.hard === Infinity ? "unlimited" : before.hard}`], { stdio: "ignore", timeout: 5000 });
    raisedOnce = readDescriptorLimit() ?? before;
  } catch (error) {
    log?.(`descriptor limit stays at ${before.soft} (hard ${before.hard}): prlimit failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return raisedOnce;
}

function parseLimit(text: string): number {
  return text === "unlimited" ? Infinity : Number(text);
}

function nrOpen(): number {
  try {
    return Number(readFileSync("/proc/sys/fs/nr_open", "utf8").trim()) || DEFAULT_NR_OPEN;
  } catch {
    return DEFAULT_NR_OPEN;
  }
}

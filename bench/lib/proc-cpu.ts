// CPU time of processes, threads and the whole machine, read from Linux's
// /proc, for the benches that explain a gap by where CPU went (event loop vs
// the rest of a process; user vs kernel; the machine's idle time). Figures are
// in ms; /proc counts in clock ticks (USER_HZ, 100 per second on Linux).
// Where /proc is not Linux's, the readers throw: the benches run on Linux.
// Standards: none (proc(5): /proc/<pid>/stat, /proc/<pid>/task/<tid>/stat, /proc/stat).

import { readdirSync, readFileSync } from "node:fs";

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat and of /proc/stat. */
const CLOCK_TICKS_PER_S = 100;
const MS_PER_TICK = 1000 / CLOCK_TICKS_PER_S;

/** CPU time split by where it ran: user space and the kernel (system calls, page faults), ms. */
export interface CpuSplit {
  user: number;
  system: number;
}

export const total = (c: CpuSplit): number => c.user + c.system;

export const minus = (after: CpuSplit, before: CpuSplit): CpuSplit => ({ user: after.user - before.user, system: after.system - before.system });

/** utime and stime of one /proc/<pid>/stat or /proc/<pid>/task/<tid>/stat file, ms. */
function statCpu(file: string): CpuSplit {
  const stat = readFileSync(file, "utf8");
  // The command name (field 2) is in parentheses and may hold spaces: fields after it start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) * MS_PER_TICK, system: Number(fields[12]) * MS_PER_TICK };
}

/** A process's CPU so far: all its threads, and its main thread alone (for Node: the event loop). */
export function processCpu(pid: number | "self"): { all: CpuSplit; main: CpuSplit } {
  const main = pid === "self" ? process.pid : pid;
  return { all: statCpu(`/proc/${pid}/stat`), main: statCpu(`/proc/${pid}/task/${main}/stat`) };
}

/** CPU so far of each live thread of a process, by OS thread id (a thread that ended meanwhile is left out). */
export function threadCpu(pid: number | "self"): Map<string, CpuSplit> {
  const threads = new Map<string, CpuSplit>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, statCpu(`/proc/${pid}/task/${tid}/stat`));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** The whole machine's CPU so far, summed over its CPUs, ms: busy (user, nice, system, interrupts, steal) and idle (idle, iowait). */
export function machineCpu(): { busy: number; idle: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * MS_PER_TICK, idle: (idle! + iowait!) * MS_PER_TICK };
}

/**
 * CPU so far of a process tree (a forking server such as Dovecot: its master and every process below it), ms.
 * Each live process counts its own time and its reaped children's (cutime, cstime): a child that ends is added
 * to its parent's, so the sum stays whole when sessions' processes come and go. Differences of two readings are
 * the tree's CPU in between.
 */
export function treeCpu(rootPid: number): CpuSplit {
  const parentOf = new Map<number, number>();
  const own = new Map<number, CpuSplit>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parentOf.set(Number(name), Number(fields[1]));
      own.set(Number(name), { user: (Number(fields[11]) + Number(fields[13])) * MS_PER_TICK, system: (Number(fields[12]) + Number(fields[14])) * MS_PER_TICK });
    } catch {
      // The process ended between the listing and the read: its time is in its parent's cutime/cstime now.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parentOf.get(p)) if (p === rootPid) return true;
    return false;
  };
  const sum: CpuSplit = { user: 0, system: 0 };
  for (const [pid, cpu] of own) {
    if (!inTree(pid)) continue;
    sum.user += cpu.user;
    sum.system += cpu.system;
  }
  return sum;
}

/** CPU of the children a process has reaped (cutime, cstime: each with its own reaped descendants), ms. */
export function reapedChildrenCpu(pid: number | "self"): CpuSplit {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[13]) * MS_PER_TICK, system: Number(fields[14]) * MS_PER_TICK };
}

// A short perf(1) CPU profile of one process with kernel stacks, split into
// the categories a gap is explained by: the kernel's file and socket paths,
// thread wake-ups, scheduling, page faults; in user space JavaScript, V8's
// garbage collector and compiler, and node/libuv's native code. Samples are
// cpu-clock (a software timer: hardware counters are often missing in VMs),
// so a share of samples is a share of the CPU time the process used. Node
// names JavaScript frames for perf only when started with --perf-basic-prof
// (PERF_NODE_FLAGS). Optional: without perf, perfAvailable() says why not.
// Standards: none (Linux perf-record(1), perf-script(1)).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** Flags for a node process to be profiled: JIT frames written to /tmp/perf-<pid>.map so perf can name them. */
export const PERF_NODE_FLAGS = ["--perf-basic-prof"];
/** perf record and perf script are each killed after this long: the bench must not hang on them. */
const PERF_TIMEOUT_MS = 30_000;

interface Category {
  name: string;
  /** A few words for one-line summaries. */
  short: string;
  /** Kernel categories are tested against a kernel sample's kernel frames, in table order, any frame matching. */
  kernel: boolean;
  pattern: RegExp;
}

/**
 * Ordered: a kernel sample goes to the first category any of its kernel
 * frames matches, so the system call it is in wins over where it happens to
 * be (a reschedule on the way out of fsync(2) is the fsync's). A user-space
 * sample goes to the category of its innermost frame that names one (malloc
 * under the GC is the GC's, under a socket write node's). The last kernel and
 * user rows catch the rest.
 */
export const CATEGORIES: readonly Category[] = [
  // O_DSYNC writes and fsync(2) end in the block layer (on a VM, virtio's doorbell: iowrite16 is a trap to the host).
  { name: "kernel: file write + fsync", short: "kernel write + fsync", kernel: true, pattern: /^(ext4_sync_file|vfs_fsync_range|generic_write_sync|ext4_file_write_iter|ext4_buffered_write_iter|file_write_and_wait_range|blk_|submit_bio|virtio|virtblk|iowrite16)/ },
  { name: "kernel: file create/open", short: "kernel create", kernel: true, pattern: /^(do_sys_openat2|path_openat|ext4_create|__ext4_new_inode|do_filp_open)/ },
  { name: "kernel: rename", short: "kernel rename", kernel: true, pattern: /^(do_renameat2|ext4_rename|vfs_rename)/ },
  { name: "kernel: TCP loopback", short: "kernel TCP", kernel: true, pattern: /^(tcp_|inet_|inet6_|sock_|__sock_|__sys_accept|__sys_recv|__sys_send|__sys_shutdown|__sys_setsockopt|__sys_getpeername|net_rx_action|__dev_queue_xmit|loopback_xmit|__netif_|ip_|__ip_)/ },
  { name: "kernel: epoll", short: "kernel epoll", kernel: true, pattern: /^(do_epoll_|ep_poll|ep_insert|ep_remove|ep_modify|__x64_sys_epoll)/ },
  { name: "kernel: futex, eventfd (thread wake-ups)", short: "kernel thread wake-ups", kernel: true, pattern: /^(futex_|__x64_sys_futex|do_futex|eventfd_)/ },
  { name: "kernel: page faults, mmap", short: "kernel page faults", kernel: true, pattern: /^(exc_page_fault|do_user_addr_fault|handle_mm_fault|__x64_sys_(mmap|munmap|madvise|mprotect|brk))/ },
  { name: "kernel: other file calls (close, read, stat, unlink)", short: "kernel other file calls", kernel: true, pattern: /^(__x64_sys_(close|read|pread64|newfstatat|statx|unlink|getdents64)|ext4_|vfs_|__fput)/ },
  { name: "kernel: scheduling, interrupts, other", short: "kernel scheduling, other", kernel: true, pattern: /./ },
  { name: "V8 garbage collection", short: "V8 GC", kernel: false, pattern: /v8::internal::(Heap::|Scavenge|MarkCompact|Marking|ConcurrentMarking|Sweeper|Evacuat|GCTracer|MinorM|ScavengerCollector|IncrementalMarking)|cppgc::/ },
  { name: "V8 compiler", short: "V8 compiler", kernel: false, pattern: /v8::internal::(compiler::|maglev::|baseline::|Compiler::|OptimizingCompileDispatcher|Parser|PreParser|BytecodeGenerator|interpreter::BytecodeGenerator)/ },
  { name: "JavaScript (JIT code, builtins, interpreter)", short: "JavaScript", kernel: false, pattern: /^(JS:|Builtins_|LazyCompile:|Function:|\[unknown\])/ },
  { name: "node, libuv, libc (native)", short: "native (node, libuv, libc)", kernel: false, pattern: /./ },
];

export interface Sample {
  tid: number;
  /** Innermost first; kernel frames flagged. */
  frames: { symbol: string; kernel: boolean }[];
}

/** Parses `perf script -F tid,ip,sym,dso` output: a header line with the thread id, then one frame per line, a blank line between samples. */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  let current: Sample | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      current = null;
      continue;
    }
    if (!line.startsWith("\t") && !line.startsWith(" ".repeat(8))) {
      const tid = Number.parseInt(line.trim(), 10);
      if (Number.isNaN(tid)) continue;
      current = { tid, frames: [] };
      samples.push(current);
      continue;
    }
    if (current === null) continue;
    // "\t    ffffffff8225 symbol+0x1f ([kernel.kallsyms])": the symbol may hold spaces and parentheses, the dso is the last group.
    const match = /^\s*[0-9a-f]+\s+(.*?)\s+\(([^()]*)\)\s*$/.exec(line);
    if (match === null) continue;
    const symbol = match[1]!.replace(/\+0x[0-9a-f]+$/, "");
    current.frames.push({ symbol, kernel: match[2] === "[kernel.kallsyms]" });
  }
  return samples;
}

/** The category of one sample (see CATEGORIES for the rule). */
export function categorize(sample: Sample): string {
  const kernel = sample.frames[0]?.kernel ?? false;
  if (kernel) {
    const frames = sample.frames.filter((f) => f.kernel);
    for (const c of CATEGORIES) if (c.kernel && frames.some((f) => c.pattern.test(f.symbol))) return c.name;
  }
  const user = CATEGORIES.filter((c) => !c.kernel);
  for (const frame of sample.frames) {
    if (frame.kernel) continue;
    // The catch-all matches every frame: it is the answer only when no inner frame named a category.
    for (const c of user.slice(0, -1)) if (c.pattern.test(frame.symbol)) return c.name;
  }
  return user.at(-1)!.name;
}

export interface CpuShares {
  samples: number;
  /** Share of all samples by category, in CATEGORIES order, categories without samples left out. */
  byCategory: { name: string; share: number }[];
  /** Share of all samples on the process's main thread (for Node: the event loop). */
  mainThread: number;
  /** Share of all samples in the kernel. */
  kernel: number;
}

export function cpuShares(samples: Sample[], mainTid: number): CpuShares {
  const counts = new Map<string, number>();
  let main = 0;
  let kernel = 0;
  for (const sample of samples) {
    const name = categorize(sample);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (sample.tid === mainTid) main += 1;
    if (sample.frames[0]?.kernel) kernel += 1;
  }
  const n = Math.max(1, samples.length);
  return {
    samples: samples.length,
    byCategory: CATEGORIES.filter((c) => counts.has(c.name)).map((c) => ({ name: c.name, share: counts.get(c.name)! / n })),
    mainThread: main / n,
    kernel: kernel / n,
  };
}

/**
 * A one-line summary's parts: the categories of at least `minShare`, largest
 * first, by their short names, and the rest summed as one "other" entry (left
 * out when there is none).
 */
export function topCategories(shares: CpuShares, minShare: number): { label: string; share: number }[] {
  const shortOf = new Map(CATEGORIES.map((c) => [c.name, c.short]));
  const big = shares.byCategory.filter((c) => c.share >= minShare).sort((a, b) => b.share - a.share);
  const rest = shares.byCategory.filter((c) => c.share < minShare).reduce((sum, c) => sum + c.share, 0);
  const top = big.map((c) => ({ label: shortOf.get(c.name) ?? c.name, share: c.share }));
  return rest > 0 ? [...top, { label: `other < ${Math.round(minShare * 100)} %`, share: rest }] : top;
}

/** Null when perf can record here, else why not (not installed, or not allowed: perf_event_paranoid). */
export function perfUnavailable(): string | null {
  const version = spawnSync("perf", ["--version"], { encoding: "utf8", timeout: 5_000 });
  if (version.error || version.status !== 0) return "perf(1) is not installed (Debian: linux-perf)";
  const probe = spawnSync("perf", ["record", "-e", "cpu-clock", "-g", "-o", "/dev/null", "--", "true"], { encoding: "utf8", timeout: PERF_TIMEOUT_MS });
  if (probe.status !== 0) return `perf record is not allowed here: ${(probe.stderr ?? "").split("\n").find((l) => l.trim() !== "") ?? `exit ${probe.status}`}`;
  return null;
}

export interface PerfRecording {
  /** Stops the recording and reads it: the CPU shares, or an error message when perf failed. */
  stop(): Promise<CpuShares | string>;
}

/** Starts `perf record -e cpu-clock -g` on every thread of `pid`; it stops at stop() or after PERF_TIMEOUT_MS. */
export function recordProcess(pid: number): PerfRecording {
  const file = path.join(tmpdir(), `mc-bench-perf-${pid}-${Date.now()}.data`);
  const perf: ChildProcess = spawn("perf", ["record", "-e", "cpu-clock", "-g", "-q", "-o", file, "-p", String(pid)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  perf.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    perf.once("close", (code) => resolve(code));
    // Not startable after all (perfUnavailable() said it was): stop() reports it.
    perf.once("error", (error) => {
      stderr += error.message;
      resolve(-1);
    });
  });
  const cap = setTimeout(() => perf.kill("SIGINT"), PERF_TIMEOUT_MS);
  return {
    async stop() {
      clearTimeout(cap);
      perf.kill("SIGINT");
      const killer = setTimeout(() => perf.kill("SIGKILL"), 5_000);
      const code = await exited;
      clearTimeout(killer);
      try {
        // perf record exits 0 or by the SIGINT it was sent.
        if (code !== 0 && code !== null && code !== 130) return `perf record failed (${code}): ${stderr.trim().split("\n")[0] ?? ""}`;
        const script = spawnSync("perf", ["script", "-F", "tid,ip,sym,dso", "-i", file], { encoding: "utf8", timeout: PERF_TIMEOUT_MS, maxBuffer: 1 << 30 });
        if (script.status !== 0) return `perf script failed: ${script.error?.message ?? script.stderr.trim().split("\n")[0]}`;
        return cpuShares(parsePerfScript(script.stdout), pid);
      } finally {
        await rm(file, { force: true });
        await rm(`${file}.old`, { force: true });
      }
    },
  };
}

// Benchmark 8 (issue 18 goal 7): grading a class of N reference servers (100
// by default) with `mailconform grade` and the default profile, the real
// command in a child process as a teacher runs it, under /usr/bin/time (CPU
// time, peak RSS). The class is simulated cheaply: the servers run
// SERVERS_PER_PROCESS to a Node process (each its own data directory and
// ephemeral ports, the bundled server's configuration — the one `run` tests
// without a target), so N servers cost a few processes, not N. Each target
// lists all of the bundled server's job users (alice, bob, alice2, bob2 …)
// and asks for JOBS_PER_TARGET tests at once (`jobs:`), as a teacher would
// for a class of throwaway servers; grade bounds it (runner/grade/jobs.ts).
// The bundled configuration keeps its store's setting (durable, or the
// throwaway no-fsync store): the text says which. The peer: the goal (120 s
// for 100 targets) and one target graded alone in the same run, ×N, the cost
// without grading's concurrency.
// Run alone: `node --import=tsx bench/grade-class.ts [N]`.
// Standards: none (bench).

import { fork, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { ClassGrade } from "../runner/model/grade.ts";
import { markdownTable } from "./lib/table.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SERVE_MARK = "--serve-class";
/** The goal: 100 targets in 2 minutes on one machine. */
const GOAL_TARGETS = 100;
const GOAL_SECONDS = 120;
const SERVERS_PER_PROCESS = 25;
/** BENCH_GRADE_ARGS="--concurrency 16": grade flags to try against the defaults (the section in RESULTS.md runs without). */
const EXTRA_ARGS = (process.env.BENCH_GRADE_ARGS ?? "").split(/\s+/).filter(Boolean);
const START_TIMEOUT_MS = 60_000;
/** `jobs:` of every target (BENCH_GRADE_JOBS=1: one test at a time, as before per-target jobs). */
const JOBS_PER_TARGET = Number(process.env.BENCH_GRADE_JOBS ?? 8);
/** A grade that takes longer than this is stopped: the figure would say nothing but "too slow". */
const GRADE_TIMEOUT_MS = Number(process.env.BENCH_GRADE_TIMEOUT_MS ?? 15 * 60_000);

/** What a server child reports per server: the target's endpoints, as the targets file gives them. */
interface ServedTarget {
  host: string;
  domain: string;
  ports: { smtp: number; smtps: number; pop3: number; pop3s: number; submission: number; imap?: number; imaps?: number; lmtp: number };
  lmtpSocket: string | null;
  /** Logins and passwords the server knows (the over-quota user left out: it holds no mail). */
  users: { login: string; password: string }[];
  /** The store's setting: false is the throwaway store (no fsync). */
  durable: boolean;
}

export interface GradeRun {
  wallS: number;
  userS: number;
  systemS: number;
  peakRssMiB: number;
  exitCode: number;
  /** The grade's own line: targets, profile, tests, how many at a time. */
  settings: string;
  graded: number;
  /** Targets whose grade is not complete: status other than graded, notes, errors, tests not run. */
  incomplete: string[];
  meanScore: number;
}

export interface GradeClassResult {
  targets: number;
  serverProcesses: number;
  serversStartS: number;
  classRun: GradeRun;
  single: GradeRun;
  loadBefore: number[];
  loadAfter: number[];
  /** CPU seconds (user+sys) the class's server processes spent while the class was graded. */
  serversCpuS: number;
  /** What bin/mailconform.js ran: the compiled dist/, or the sources through tsx when dist/ is stale. */
  form: string;
  /** Users each target lists; false when the servers' store syncs (durable). */
  usersPerTarget: number;
  durable: boolean;
}

/** bin/mailconform.js runs dist/ only while it matches the sources (bin/checkout.js); a stale dist/ costs tsx's start-up once per process. */
async function commandForm(): Promise<string> {
  const checkout = (await import(pathToFileURL(path.join(ROOT, "bin", "checkout.js")).href)) as { distIsCurrent(root: URL): boolean };
  return checkout.distIsCurrent(pathToFileURL(ROOT)) ? "the compiled dist/" : "the sources through tsx (dist/ stale)";
}

// ---- the server child: SERVERS_PER_PROCESS reference servers in one process ----

async function serveClass(count: number): Promise<void> {
  const { bundledConfig } = await import("../cli/reference-target.ts");
  const { startServer } = await import("../reference-server/serve.ts");
  const servers: { close(): Promise<void> }[] = [];
  const dirs: string[] = [];
  const served: ServedTarget[] = [];
  for (let i = 0; i < count; i++) {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "mc-grade-class-"));
    dirs.push(dataDir);
    const config = await bundledConfig(dataDir);
    const server = await startServer({ portBase: "ephemeral", dataDir, config });
    servers.push(server);
    const users = server.users.filter((u) => u.password !== undefined && u.address !== `full@${server.domain}`).map((u) => ({ login: u.name, password: u.password! }));
    // `store` is the configuration's since the no-fsync option; before it every store was durable.
    const durable = (config as { store?: { durable?: boolean } }).store?.durable ?? true;
    served.push({ host: server.host, domain: server.domain, ports: server.ports as ServedTarget["ports"], lmtpSocket: server.lmtpSocket ?? null, users, durable });
  }
  process.send!({ type: "ready", served });
  process.on("message", async (m: { type: string }) => {
    if (m.type !== "close") return;
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    process.disconnect();
  });
}

if (process.argv[2] === SERVE_MARK) await serveClass(Number(process.argv[3]));

// ---- the bench ----

/** utime + stime of live processes, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

interface ServerChild {
  child: ChildProcess;
  served: ServedTarget[];
}

async function startServerChild(count: number): Promise<ServerChild> {
  const child = fork(SELF, [SERVE_MARK, String(count)], { execArgv: ["--import=tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const served = await new Promise<ServedTarget[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`grade-class: ${count} servers not started within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once("message", (m: { type: string; served: ServedTarget[] }) => {
      clearTimeout(timer);
      resolve(m.served);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`grade-class: server child exited (${code}) before it started`));
    });
  });
  return { child, served };
}

async function stopServerChild(s: ServerChild): Promise<void> {
  if (s.child.exitCode !== null || !s.child.connected) return;
  const exited = new Promise<void>((resolve) => s.child.once("exit", () => resolve()));
  s.child.send({ type: "close" });
  const timer = setTimeout(() => s.child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
}

/** One line of the targets file: every endpoint the bundled server offers, as a student's entry would list them. */
function targetLine(name: string, t: ServedTarget): string {
  const failing = `full@${t.domain}`;
  const lmtp = t.lmtpSocket !== null ? `{ socket: ${JSON.stringify(t.lmtpSocket)}, failing-recipient: ${failing} }` : `{ port: ${t.ports.lmtp}, failing-recipient: ${failing} }`;
  const imap = t.ports.imap ? `, imap: { port: ${t.ports.imap}${t.ports.imaps ? `, implicit-port: ${t.ports.imaps}` : ""} }` : "";
  return (
    `  - { name: ${name}, host: ${t.host}, domain: ${t.domain}, ` +
    `smtp: { port: ${t.ports.smtp}, implicit-port: ${t.ports.smtps}, failing-recipient: ${failing} }, ` +
    `pop3: { port: ${t.ports.pop3}, implicit-port: ${t.ports.pop3s} }${imap}, lmtp: ${lmtp}, ` +
    `submission: { port: ${t.ports.submission}, tls: starttls } }`
  );
}

function targetsFile(served: readonly ServedTarget[]): string {
  const users = served[0]!.users.map((u) => `{ login: ${u.login}, password: ${u.password} }`).join(", ");
  return [
    "# A class of reference servers, written by bench/grade-class.ts",
    `defaults: { insecure: true, jobs: ${JOBS_PER_TARGET}, users: [${users}] }`,
    "targets:",
    ...served.map((t, i) => targetLine(`student-${String(i + 1).padStart(3, "0")}`, t)),
    "",
  ].join("\n");
}

/** `mailconform grade` with the default profile, under /usr/bin/time; the scoreboard read back to check every target. */
async function runGrade(targetsPath: string, outDir: string, expected: number): Promise<GradeRun> {
  const timeFile = `${outDir}.time`;
  const args = ["-f", "%e %U %S %M", "-o", timeFile, process.execPath, path.join(ROOT, "bin", "mailconform.js"), "grade", "--targets", targetsPath, "--out", outDir, ...EXTRA_ARGS];
  const child = spawn("/usr/bin/time", args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  // SIGTERM to the grade itself (time's child), not to time: the grade then writes its scoreboard, the stopped targets marked
  // incomplete, and time still reports.
  const timer = setTimeout(() => {
    const pids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), "SIGTERM");
  }, GRADE_TIMEOUT_MS);
  const exitCode = await new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  clearTimeout(timer);
  const [wall, user, system, maxKiB] = (await readFile(timeFile, "utf8")).trim().split("\n").at(-1)!.split(" ").map(Number);
  await rm(timeFile, { force: true });
  let grade: ClassGrade | undefined;
  try {
    grade = JSON.parse(await readFile(path.join(outDir, "scoreboard.json"), "utf8")) as ClassGrade;
  } catch {
    throw new Error(`grade-class: no scoreboard (exit ${exitCode}):\n${stdout}\n${stderr}`);
  }
  const incomplete = grade.targets
    .filter((t) => t.status !== "graded" || t.notes.length > 0 || t.summary.errors > 0 || t.score.percent === undefined || t.summary.total !== grade!.tests)
    .map((t) => `${t.name}: ${t.status} ${t.summary.errors} errors, ${t.summary.total}/${grade!.tests} tests${t.notes.length ? ` (${t.notes[0]})` : ""}`);
  if (grade.targets.length !== expected) incomplete.push(`${expected - grade.targets.length} targets missing from the scoreboard`);
  const scores = grade.targets.map((t) => t.score.percent ?? 0);
  return {
    wallS: wall!,
    userS: user!,
    systemS: system!,
    peakRssMiB: maxKiB! / 1024,
    exitCode,
    settings: /^Grading .*$/m.exec(stdout)?.[0] ?? "(no settings line)",
    graded: grade.targets.length,
    incomplete,
    meanScore: scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length),
  };
}

export async function benchGradeClass(targets = GOAL_TARGETS): Promise<GradeClassResult> {
  const work = await mkdtemp(path.join(os.tmpdir(), "mc-bench-grade-"));
  const children: ServerChild[] = [];
  try {
    const t0 = performance.now();
    const sizes: number[] = [];
    for (let left = targets; left > 0; left -= SERVERS_PER_PROCESS) sizes.push(Math.min(SERVERS_PER_PROCESS, left));
    children.push(...(await Promise.all(sizes.map(startServerChild))));
    const serversStartS = (performance.now() - t0) / 1000;
    const served = children.flatMap((c) => c.served);
    // The single target on a server of its own: no grade has touched any server before it runs, as in the class.
    const alone = await startServerChild(1);
    children.push(alone);
    await writeFile(path.join(work, "one.yaml"), targetsFile(alone.served));
    await writeFile(path.join(work, "class.yaml"), targetsFile(served));
    const form = await commandForm();
    const loadBefore = os.loadavg();
    const single = await runGrade(path.join(work, "one.yaml"), path.join(work, "grade-one"), 1);
    const serverPids = children.filter((c) => c !== alone).map((c) => c.child.pid!);
    const cpuBefore = cpuSeconds(serverPids);
    const classRun = await runGrade(path.join(work, "class.yaml"), path.join(work, "grade-class"), targets);
    const serversCpuS = cpuSeconds(serverPids) - cpuBefore;
    const loadAfter = os.loadavg();
    return { targets, serverProcesses: children.length - 1, serversStartS, classRun, single, loadBefore, loadAfter, serversCpuS, form, usersPerTarget: served[0]!.users.length, durable: served[0]!.durable };
  } finally {
    await Promise.all(children.map(stopServerChild));
    await rm(work, { recursive: true, force: true });
  }
}

export function formatGradeClass(r: GradeClassResult): string {
  const c = r.classRun;
  const perTarget = c.exitCode === 143 ? Math.max(1, c.graded - c.incomplete.length) : r.targets;
  const perMin = ((c.graded - c.incomplete.length) / c.wallS) * 60;
  const goalS = (GOAL_SECONDS * r.targets) / GOAL_TARGETS;
  const serialS = r.single.wallS * r.targets;
  const row = (label: string, g: GradeRun, targets: number) => [
    label,
    String(targets),
    `${g.wallS.toFixed(1)} s`,
    (((g.graded - g.incomplete.length) / g.wallS) * 60).toFixed(1),
    `${(g.userS + g.systemS).toFixed(1)} s`,
    `${g.peakRssMiB.toFixed(0)} MiB`,
    `${g.graded - g.incomplete.length} / ${targets}`,
    String(g.exitCode),
  ];
  const table = markdownTable(
    ["run", "targets", "wall", "targets/min", "CPU (user+sys) of grade", "peak RSS of grade", "complete scores", "exit"],
    [row("class", c, r.targets), row("one target alone", r.single, 1)],
  );
  // A grade stopped at the cap is projected from the targets it completed by then.
  const stopped = c.exitCode === 143;
  const complete = c.graded - c.incomplete.length;
  const classS = stopped ? (GRADE_TIMEOUT_MS / 1000) * (r.targets / Math.max(1, complete)) : c.wallS;
  const verdict = classS <= goalS ? "goal met" : "short of goal";
  return [
    `Goal: ${GOAL_TARGETS} targets ≤ ${GOAL_SECONDS} s on one machine. \`node bin/mailconform.js grade --targets class.yaml\` (${r.form}; default`,
    `profile and flags) in a child process under /usr/bin/time; the class is ${r.targets} reference servers with the bundled server's configuration`,
    `(each its own data directory and ephemeral ports; ${SERVERS_PER_PROCESS} to a Node process, ${r.serverProcesses} processes, started in ${r.serversStartS.toFixed(1)} s, their CPU not in the grade's figures;`,
    `store ${r.durable ? "durable (fsync before every reply that reports mail stored)" : "the throwaway one, store: { durable: false } — no fsync, as a class of student servers would not be fsync-bound either"}).`,
    `Each target lists ${r.usersPerTarget} users and asks for jobs: ${JOBS_PER_TARGET} (tests at once, each with users of its own; grade caps it by --concurrency and the CPUs).`,
    `Grade's settings: "${c.settings}"${EXTRA_ARGS.length ? ` (flags added: ${EXTRA_ARGS.join(" ")})` : ""}; the class's servers spent ${r.serversCpuS.toFixed(1)} s CPU meanwhile.`,
    // A grade stopped at the cap spent CPU on the targets it finished and on those in flight: per finished target, an upper bound.
    `CPU per ${c.exitCode === 143 ? "finished target (an upper bound: the targets in flight when it stopped spent some too)" : "target"}: ` +
      `grade ${((c.userS + c.systemS) / perTarget).toFixed(1)} s, its server ${(r.serversCpuS / perTarget).toFixed(1)} s (one target alone: grade ${(r.single.userS + r.single.systemS).toFixed(1)} s with the suites' loading).`,
    `A complete score: status graded, no notes, no errors, every selected test reported.`,
    "",
    table,
    "",
    `Ratio against the goal (${goalS.toFixed(0)} s for ${r.targets} targets, pro rata): ${(classS / goalS).toFixed(2)}× (${verdict}); ${perMin.toFixed(1)} targets/min${stopped ? `; all ${r.targets} projected at ${classS.toFixed(0)} s from the ${complete} complete in ${(GRADE_TIMEOUT_MS / 1000).toFixed(0)} s` : ""}.`,
    `Against one target alone ×${r.targets} (${serialS.toFixed(0)} s, grading with no concurrency across targets): ${(serialS / classS).toFixed(2)}× faster.`,
    `Mean score ${c.meanScore.toFixed(1)}%. Load average (1/5/15 min) before ${r.loadBefore.map((l) => l.toFixed(2)).join(" / ")}, after ${r.loadAfter.map((l) => l.toFixed(2)).join(" / ")}; ${os.cpus().length} CPUs.`,
    ...(c.exitCode === 143 ? ["", `The class grade was stopped (SIGTERM) after ${(GRADE_TIMEOUT_MS / 1000).toFixed(0)} s; the targets it had not finished count as incomplete.`] : []),
    ...(c.incomplete.length > 0 ? ["", `Incomplete (${c.incomplete.length}): ${c.incomplete.slice(0, 5).join("; ")}`] : []),
  ].join("\n");
}

if (process.argv[1] === SELF && process.argv[2] !== SERVE_MARK) {
  console.log(formatGradeClass(await benchGradeClass(Number(process.argv[2] ?? GOAL_TARGETS))));
}

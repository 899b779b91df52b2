// Benchmark 8 (issue 18 goal 7): grading a class of N reference servers (100
// by default) with `mailconform grade` and the default profile, the real
// command in a child process as a teacher runs it, under /usr/bin/time (CPU
// time, peak RSS). The class is simulated cheaply: the servers run up to
// SERVERS_PER_PROCESS to a Node process (each its own data directory and
// ephemeral ports, the bundled server's configuration — the one `run` tests
// without a target), so N servers cost a few processes, not N — but at least
// one process per CPU, or a small class's servers share one event loop and
// one core. Each target
// lists all of the bundled server's job users (alice, bob, alice2, bob2 …)
// and asks for JOBS_PER_TARGET tests at once (`jobs:`), as a teacher would
// for a class of throwaway servers; grade bounds it (runner/grade/jobs.ts).
// The bundled configuration keeps its store's setting (durable, or the
// throwaway no-fsync store): the text says which. The peers: the goal (120 s
// for 100 targets); one target graded alone in the same run, ×N, the cost
// without grading's concurrency; and a plain `run` of one such target with
// the same jobs, the runner's cost without grading. The text explains the
// figure: CPU seconds per target on each side (grade, servers), the floor
// they set on this machine (CPU per target × N ÷ cores) against the budget
// the goal leaves per target and per test, and what N targets would need.
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
/** Class servers per server process: up to SERVERS_PER_PROCESS, and at least one process per CPU (one event loop would hold a small class's servers to one core). */
function serverProcessSizes(targets: number, cpus: number): number[] {
  const processes = Math.min(targets, Math.max(Math.ceil(targets / SERVERS_PER_PROCESS), cpus));
  return Array.from({ length: processes }, (_, i) => Math.floor(targets / processes) + (i < targets % processes ? 1 : 0));
}
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
  /** Tests the profile selects per target. */
  tests: number;
  graded: number;
  /** Targets whose grade is not complete: status other than graded, notes, errors, tests not run. */
  incomplete: string[];
  meanScore: number;
}

/** The peer without grading: `mailconform run` of one class target, with the jobs a target gets when graded alone. */
export interface PlainRun {
  wallS: number;
  cpuS: number;
  serverCpuS: number;
  exitCode: number;
  /** The run's last line: passed, failed, skipped. */
  counts: string;
}

export interface GradeClassResult {
  targets: number;
  serverProcesses: number;
  serversStartS: number;
  classRun: GradeRun;
  single: GradeRun;
  /** CPU seconds the lone target's server spent while it was graded. */
  singleServerCpuS: number;
  plain: PlainRun;
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

/** One target as a file of its own (`run --target`): the class entry's keys at the top level. */
function targetFile(t: ServedTarget): string {
  const users = t.users.map((u) => `{ login: ${u.login}, password: ${u.password} }`).join(", ");
  return targetLine("plain", t).replace(/^ {2}- \{ /, `{ insecure: true, users: [${users}], `) + "\n";
}

/** The peer: `mailconform run` of one target with the jobs grade gives a target graded alone (JOBS_PER_TARGET, within its cap). */
async function runPlain(targetPath: string, serverPid: number): Promise<PlainRun> {
  const timeFile = `${targetPath}.time`;
  const args = ["-f", "%e %U %S", "-o", timeFile, process.execPath, path.join(ROOT, "bin", "mailconform.js"), "run", "--target", targetPath, "--jobs", String(JOBS_PER_TARGET), "--quiet"];
  const serverBefore = cpuSeconds([serverPid]);
  const child = spawn("/usr/bin/time", args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.resume();
  const exitCode = await new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const serverCpuS = cpuSeconds([serverPid]) - serverBefore;
  const [wall, user, system] = (await readFile(timeFile, "utf8")).trim().split("\n").at(-1)!.split(" ").map(Number);
  return { wallS: wall!, cpuS: user! + system!, serverCpuS, exitCode, counts: /^\d+ passed.*$/m.exec(stdout)?.[0] ?? "(no summary line)" };
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
    tests: grade.tests,
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
    children.push(...(await Promise.all(serverProcessSizes(targets, os.availableParallelism()).map(startServerChild))));
    const serversStartS = (performance.now() - t0) / 1000;
    const served = children.flatMap((c) => c.served);
    // The single target on a server of its own: no grade has touched any server before it runs, as in the class.
    const [alone, plainServer] = await Promise.all([startServerChild(1), startServerChild(1)]);
    children.push(alone, plainServer);
    await writeFile(path.join(work, "one.yaml"), targetsFile(alone.served));
    await writeFile(path.join(work, "plain.yaml"), targetFile(plainServer.served[0]!));
    await writeFile(path.join(work, "class.yaml"), targetsFile(served));
    const form = await commandForm();
    const loadBefore = os.loadavg();
    const aloneBefore = cpuSeconds([alone.child.pid!]);
    const single = await runGrade(path.join(work, "one.yaml"), path.join(work, "grade-one"), 1);
    const singleServerCpuS = cpuSeconds([alone.child.pid!]) - aloneBefore;
    const plain = await runPlain(path.join(work, "plain.yaml"), plainServer.child.pid!);
    const serverPids = children.filter((c) => c !== alone && c !== plainServer).map((c) => c.child.pid!);
    const cpuBefore = cpuSeconds(serverPids);
    const classRun = await runGrade(path.join(work, "class.yaml"), path.join(work, "grade-class"), targets);
    const serversCpuS = cpuSeconds(serverPids) - cpuBefore;
    const loadAfter = os.loadavg();
    return { targets, serverProcesses: children.length - 2, serversStartS, classRun, single, singleServerCpuS, plain, loadBefore, loadAfter, serversCpuS, form, usersPerTarget: served[0]!.users.length, durable: served[0]!.durable };
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
    `(each its own data directory and ephemeral ports; up to ${SERVERS_PER_PROCESS} to a Node process and at least one process per CPU: ${r.serverProcesses} processes, started in ${r.serversStartS.toFixed(1)} s, their CPU not in the grade's figures;`,
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
    "",
    ...explainFloor(r, perTarget),
    ...(c.exitCode === 143 ? ["", `The class grade was stopped (SIGTERM) after ${(GRADE_TIMEOUT_MS / 1000).toFixed(0)} s; the targets it had not finished count as incomplete.`] : []),
    ...(c.incomplete.length > 0 ? ["", `Incomplete (${c.incomplete.length}): ${c.incomplete.slice(0, 5).join("; ")}`] : []),
  ].join("\n");
}

/**
 * Why the figure is what it is: the CPU each target costs on each side, the
 * floor that sets on this machine's cores, the budget the goal leaves, and
 * what a class of GOAL_TARGETS would need — cores in all, and grade threads
 * (one grade process is one thread).
 */
function explainFloor(r: GradeClassResult, perTarget: number): string[] {
  const c = r.classRun;
  const cores = os.availableParallelism();
  const gradeS = (c.userS + c.systemS) / perTarget;
  const serverS = r.serversCpuS / perTarget;
  const totalS = gradeS + serverS;
  const tests = c.tests;
  const ms = (cpuS: number) => `${((cpuS / tests) * 1000).toFixed(2)} ms`;
  const budgetS = (cores * GOAL_SECONDS) / GOAL_TARGETS;
  const floorS = (totalS * GOAL_TARGETS) / cores;
  const p = r.plain;
  const singleS = r.single.userS + r.single.systemS;
  return [
    `Where the time goes, per target (${tests} tests): grade ${gradeS.toFixed(2)} CPU-s (${ms(gradeS)} a test) + its server ${serverS.toFixed(2)} CPU-s (${ms(serverS)} a test) = ${totalS.toFixed(2)} CPU-s.`,
    `The peer without grading, \`run --target\` of one such target with --jobs ${JOBS_PER_TARGET} (${p.counts}, exit ${p.exitCode}): run ${p.cpuS.toFixed(2)} CPU-s, its server ${p.serverCpuS.toFixed(2)} CPU-s, ${p.wallS.toFixed(1)} s wall;`,
    `  one target graded alone: grade ${singleS.toFixed(2)} CPU-s (${(singleS / p.cpuS).toFixed(2)}× the run), its server ${r.singleServerCpuS.toFixed(2)} CPU-s (${(r.singleServerCpuS / Math.max(0.01, p.serverCpuS)).toFixed(2)}× the run's); both with their module and suite loading, which a class pays once.`,
    `The floor on this machine (${cores} CPUs, servers and grade on the same cores): ${totalS.toFixed(2)} CPU-s × ${GOAL_TARGETS} targets ÷ ${cores} = ${floorS.toFixed(0)} s for ${GOAL_TARGETS} targets, ${(floorS / GOAL_SECONDS).toFixed(1)}× the goal, however the work is scheduled.`,
    `The goal leaves ${cores} × ${GOAL_SECONDS} s ÷ ${GOAL_TARGETS} = ${budgetS.toFixed(2)} CPU-s a target, ${ms(budgetS)} a test for both sides together: ${(totalS / budgetS).toFixed(1)}× less work than now.`,
    `${GOAL_TARGETS} targets in ${GOAL_SECONDS} s at today's cost need ${((totalS * GOAL_TARGETS) / GOAL_SECONDS).toFixed(1)} cores busy in all: grade's share ${((gradeS * GOAL_TARGETS) / GOAL_SECONDS).toFixed(1)}, the servers' ${((serverS * GOAL_TARGETS) / GOAL_SECONDS).toFixed(1)} (on the students' machines in a real class).`,
    `One grade process is one thread: it needs ${(gradeS * GOAL_TARGETS).toFixed(0)} s for ${GOAL_TARGETS} targets on any machine, so a machine with cores to spare spreads the class over ${Math.ceil((gradeS * GOAL_TARGETS) / GOAL_SECONDS)} grade processes or more (--shard i/n + merge-grades, locally or in a CI matrix: README "A large class on several CI machines").`,
  ];
}

if (process.argv[1] === SELF && process.argv[2] !== SERVE_MARK) {
  console.log(formatGradeClass(await benchGradeClass(Number(process.argv[2] ?? GOAL_TARGETS))));
}

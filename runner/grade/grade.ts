// Grading a class: every target of a targets file is run through the one
// orchestrator (run/run.ts), each in isolation — its own reports, its own
// time budget, its own error handling — several at a time, so a target that
// hangs, refuses or crashes costs only its own score. Per target: the login
// pre-check (./login-check.ts), then one run per protocol under its own share
// of the budget (./protocol-runs.ts), several tests at a time when the
// target's users allow it (./jobs.ts), merged into one JSON report that is
// scored under the profile (in memory; the file is written for the teacher);
// the class result goes to report/scoreboard/.
// Standards: RFC 2119 (levels drive the weights).

import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Protocol, SuiteFile, TestCase } from "../model/ast.ts";
import type { SuiteError } from "../model/failure.ts";
import type { ClassGrade, TargetGrade, TargetStatus } from "../model/grade.ts";
import type { ExitCode, Summary, TestResult } from "../model/result.ts";
import type { RunStats } from "../model/stats.ts";
import type { Target, TargetUser } from "../model/target.ts";
import { profileTakes, type Profile } from "../profile/profile.ts";
import type { TextSink } from "../report/reporter.ts";
import { defaultDeps, type RunDeps } from "../run/deps.ts";
import { scoreByProtocol, scoreResults } from "../profile/score.ts";
import { blockedByLogin, checkLogins, loadLoginChecks, type LoginFailure } from "./login-check.ts";
import { protocolsTested, runByProtocol } from "./protocol-runs.ts";
import { classExitCode } from "./exit-code.ts";
import { jobsCap, jobUserSets } from "./jobs.ts";
import { describeShard, shardRange, type Shard } from "../plan/shard.ts";

/** Targets graded at once: each holds a few sockets at a time; a class of 30 finishes in a few waves. */
export const DEFAULT_TARGET_CONCURRENCY = 4;
/** A target's whole run may take this long before what is left is marked "not run" (counted as failed). */
export const DEFAULT_TARGET_BUDGET_MS = 10 * 60_000;
/** The login pre-check may take this part of a target's budget; the protocols share what is left. */
const PRECHECK_SHARE = 0.1;

export interface GradeOptions {
  targets: Target[];
  profile: Profile;
  paths: string[];
  /** Where the scoreboard and the per-target folders go. */
  outDir: string;
  cwd: string;
  concurrency: number;
  /** Per-step wait budget. */
  timeoutMs: number;
  targetBudgetMs: number;
  /** --jobs: tests at once on a target whose file entry does not say (`jobs:`); 1 when absent (./jobs.ts). */
  jobs?: number;
  /** CPUs the bound on tests in flight is counted from (./jobs.ts); default os.availableParallelism(). */
  cpus?: number;
  /** One line per graded target while the class runs; the reports hold the rest. */
  out: TextSink;
  err: TextSink;
  /** A RunInterrupt reason (run/interrupt.ts) makes the class exit 130 / 143 after the scoreboard is written. */
  signal?: AbortSignal;
  /** --fail-on-unreachable: exit 3 when a target could not be reached, wholly or in part (./exit-code.ts). */
  failOnUnreachable?: boolean;
  /** --shard i/n: grade only the i-th contiguous block of the targets file (merge-grades joins the scoreboards). */
  shard?: Shard;
  /** Each target as soon as it is graded, with its report (cli/grade writes the student's page then); `index` as in `graded`. */
  onGraded?: (graded: GradedTarget, index: number) => void;
  /**
   * false: a target's report is let go once onGraded has seen it, so `graded` holds the grades only. A full
   * report (transcripts of every test) is some 50 MB in memory: a class of 100 kept to the end outgrows the heap.
   */
  keepReports?: boolean;
}

/** The JSON report of one run, as grade reads it back (runner/schema/report.schema.json). */
export interface RunReport {
  exitCode: ExitCode;
  durationMs: number;
  summary: Summary;
  target: { name: string; host: string; endpoints: Partial<Record<Protocol, { port: number; tls: string }>> };
  tests: TestResult[];
  runErrors: { message: string; stack?: string }[];
  stats?: RunStats;
}

export interface GradedTarget {
  grade: TargetGrade;
  /** The target's JSON report, when its run wrote one. */
  report?: RunReport;
}

/** What a probe failure looks like in a result (run/results.ts unreachableResult); test/grade pins it. */
const UNREACHABLE = /^(smtp|pop3|imap) server at \S+ unreachable: /;

export function unreachableProtocols(tests: readonly TestResult[]): Protocol[] {
  const found = new Set<Protocol>();
  for (const t of tests) {
    const m = t.failure && t.failure.step === 0 ? UNREACHABLE.exec(t.failure.message) : null;
    if (m) found.add(m[1] as Protocol);
  }
  return [...found].sort();
}

/** Folder names for targets: lower-case words, unique even when two names differ only in punctuation. */
export function folderNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "target";
    let slug = base;
    for (let i = 2; used.has(slug); i++) slug = `${base}-${i}`;
    used.add(slug);
    return slug;
  });
}

function buffer(): TextSink & { text(): string } {
  const parts: string[] = [];
  return { write: (t: string) => parts.push(String(t)), text: () => parts.join("") };
}

export async function gradeClass(
  options: GradeOptions,
  deps: RunDeps = defaultDeps,
): Promise<{ exitCode: ExitCode; grade?: ClassGrade; graded: GradedTarget[] }> {
  const startedAt = new Date();
  const say = (t: string) => options.err.write(t.endsWith("\n") ? t : t + "\n");

  // Suites load once for the whole class; a broken suite stops everything before any connection.
  const loaded = await deps.loadSuites(options.paths.map((p) => path.resolve(options.cwd, p)));
  if (loaded.errors.length > 0) {
    for (const e of loaded.errors) say(await deps.formatSuiteError(e, await readFile(e.file, "utf8").catch(() => undefined)));
    say(`mailconform: ${loaded.errors.length} error${loaded.errors.length === 1 ? "" : "s"} in the suites; nothing was graded`);
    return { exitCode: 2, graded: [] };
  }
  const take = (tests: TestCase[]) => tests.filter((t) => profileTakes(options.profile, t));
  const selected = take(loaded.suites.flatMap((s) => s.tests));
  if (selected.length === 0) {
    say(`mailconform: profile ${options.profile.name} selects no test from ${options.paths.join(", ")}`);
    return { exitCode: 4, graded: [] };
  }
  const loginChecks = await loadLoginChecks(deps);
  // Once for the class: every target's pre-check of every job's users asks the same question.
  const protocols = protocolsTested(selected);
  const cached: Promise<{ suites: SuiteFile[]; errors: SuiteError[] }> = Promise.resolve(loaded);
  const runDeps: RunDeps = { ...deps, loadSuites: () => cached };

  // Folder names come from the whole class, so every shard names a target's folder alike and the shards' folders never collide.
  const allFolders = folderNames(options.targets.map((t) => t.name));
  const { start, end } = options.shard ? shardRange(options.targets.length, options.shard) : { start: 0, end: options.targets.length };
  const targets = options.targets.slice(start, end);
  const folders = allFolders.slice(start, end);
  if (options.shard) options.out.write(describeShard(options.shard, targets.length, options.targets.length, "targets") + "\n");
  const atOnce = Math.max(1, Math.min(options.concurrency, targets.length));
  const maxJobs = jobsCap(atOnce, options.cpus ?? os.availableParallelism());
  options.out.write(
    `Grading ${targets.length} target${targets.length === 1 ? "" : "s"} with profile ${options.profile.name} (${selected.length} tests, ${options.concurrency} at a time${jobsNote(targets, options.jobs, maxJobs)})\n`,
  );
  const graded: GradedTarget[] = new Array(targets.length);
  let next = 0;
  // One listener on the caller's signal, however many targets run at once (each of those holds its own).
  const running = new Set<AbortController>();
  const onAbort = () => running.forEach((c) => c.abort(options.signal?.reason));
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= targets.length) return;
      const controller = new AbortController();
      if (options.signal?.aborted) controller.abort(options.signal.reason);
      running.add(controller);
      try {
        graded[i] = await gradeOne(targets[i]!, folders[i]!, { ...options, signal: controller.signal }, runDeps, selected, protocols, loginChecks, maxJobs);
      } finally {
        running.delete(controller);
      }
      options.onGraded?.(graded[i]!, i);
      if (options.keepReports === false) graded[i] = { grade: graded[i]!.grade };
      const g = graded[i]!.grade;
      const pct = g.score.percent === undefined ? "  n/a" : `${g.score.percent.toFixed(1).padStart(5)}%`;
      const why = [...g.unreachable, ...g.loginFailures];
      options.out.write(`  ${g.passedMark ? "✓" : "✗"} ${g.name.padEnd(24)} ${pct}  ${g.status}${why.length ? ` (${why.join(", ")})` : ""}\n`);
    }
  };
  try {
    await Promise.all(Array.from({ length: atOnce }, worker));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }

  const finishedAt = new Date();
  const grade: ClassGrade = {
    version: 1,
    profile: { name: options.profile.name, title: options.profile.title, passMark: options.profile.passMark, weights: options.profile.weights },
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    tests: selected.length,
    ...(options.shard ? { shard: { index: options.shard.index, total: options.shard.total, classSize: options.targets.length } } : {}),
    targets: graded.map((g) => g.grade),
  };
  return { exitCode: classExitCode(grade.targets, options), grade, graded };
}

/** The settings line's word on jobs, when any target asks for more than one. */
function jobsNote(targets: readonly Target[], jobs: number | undefined, maxJobs: number): string {
  const most = Math.max(jobs ?? 1, ...targets.map((t) => t.jobs ?? 1));
  return most > 1 ? `, up to ${Math.min(most, maxJobs)} tests at once on a target with users for them` : "";
}

async function gradeOne(
  target: Target,
  folder: string,
  options: GradeOptions,
  deps: RunDeps,
  selected: readonly TestCase[],
  protocols: Protocol[],
  loginChecks: readonly TestCase[],
  maxJobs: number,
): Promise<GradedTarget> {
  const dir = path.join(options.outDir, "targets", folder);
  await mkdir(dir, { recursive: true });
  const jsonFile = path.join(dir, "report.json");
  const captured = buffer();
  const notes: string[] = [];
  const began = Date.now();
  let exitCode: ExitCode = 1;
  let logins: LoginFailure[] = [];
  let report: RunReport | undefined;
  try {
    // Greetings and logins first: a wrong password is reported as such and costs seconds, not the budget.
    const precheckEnds = began + options.targetBudgetMs * PRECHECK_SHARE;
    const check = (users: TargetUser[]) =>
      checkLogins(
        loginChecks,
        { target: { ...target, users }, protocols, timeoutMs: options.timeoutMs, withinMs: Math.max(1, precheckEnds - Date.now()), ...(options.signal ? { signal: options.signal } : {}) },
        deps,
      );
    const [main, ...more] = jobUserSets(target.users, selected, target.jobs ?? options.jobs, maxJobs);
    logins = await check(target.users);
    // Each further job's users are checked too and left out when a login fails: a job whose users cannot log in
    // would fail the tests it happened to draw. With the main users failing, the target keeps one job, as before.
    const sets = [main!];
    for (const set of logins.length === 0 ? more : []) {
      const failed = await check(set);
      if (failed.length === 0 && Date.now() < precheckEnds) sets.push(set);
      else captured.write(`mailconform: ${failed.length > 0 ? failed.map((f) => f.summary).join(", ") : `the pre-check of ${set.map((u) => u.login).join(", ")} ran out of time`}: those users are not given a job of their own\n`);
    }
    if (sets.length > 1) captured.write(`mailconform: ${sets.length} tests at a time, each with users of its own (${sets.map((s) => s.map((u) => u.login).join("+")).join(", ")})\n`);
    const runs = await runByProtocol(
      {
        target: sets.length > 1 ? { ...target, users: sets.flat() } : target,
        jobs: sets.length,
        tests: selected,
        blocked: blockedByLogin(selected, logins),
        paths: options.paths,
        cwd: options.cwd,
        timeoutMs: options.timeoutMs,
        budgetMs: Math.max(1, options.targetBudgetMs - (Date.now() - began)),
        jsonFile,
        out: captured,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      deps,
    );
    exitCode = runs.exitCode;
    notes.push(...runs.notes);
    report = runs.report as RunReport;
  } catch (e) {
    notes.push(`the runner failed on this target: ${e instanceof Error ? e.message : String(e)}`);
  }
  // A run cut short by an interrupt is not a grade: the target is incomplete, whatever its tests got to.
  if (options.signal?.aborted) notes.push("not finished: the grading was interrupted");
  // The run's console output, for the teacher who wants to see what the student's server did.
  await writeFile(path.join(dir, "console.txt"), captured.text()).catch(() => {});
  if (!report) notes.push("no report was written");
  for (const r of report?.runErrors ?? []) notes.push(`run error: ${r.message}`);
  const tests = report?.tests ?? [];
  const unreachable = unreachableProtocols(tests);
  const score = scoreResults(tests, options.profile);
  const status: TargetStatus =
    !report || notes.some((n) => !n.startsWith("run error"))
      ? "incomplete"
      : exitCode === 3
        ? "unreachable"
        : unreachable.length > 0
          ? "partly-unreachable"
          : logins.length > 0
            ? "login-failed"
            : "graded";
  const grade: TargetGrade = {
    name: target.name,
    host: target.host,
    status,
    unreachable: status === "unreachable" && unreachable.length === 0 ? (Object.keys(target.endpoints) as Protocol[]).sort() : unreachable,
    score,
    protocols: scoreByProtocol(tests, options.profile),
    passedMark: (score.percent ?? 0) >= options.profile.passMark,
    summary: report?.summary ?? { total: 0, passed: 0, failed: 0, skipped: 0, errors: 0 },
    loginFailures: logins.map((l) => l.summary),
    exitCode,
    durationMs: Date.now() - began,
    reportHtml: `targets/${folder}/index.html`,
    reportJson: `targets/${folder}/report.json`,
    ...(report?.stats ? { stats: report.stats } : {}),
    notes,
  };
  return { grade, ...(report ? { report } : {}) };
}

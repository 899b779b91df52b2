// `mailconform grade --targets FILE [--profile NAME|FILE] [paths…]`: the
// targets file and the profile are read first (every mistake as
// file:line:col, exit 2, before any connection), then grade/ runs the class
// and report/scoreboard/ writes the pages. Exit 0 when every target was
// graded (whatever its score), 1 when the runner could not finish one, 3 with
// --fail-on-unreachable when one could not be reached, 130 / 143 on SIGINT /
// SIGTERM (after the scoreboard is written), 4 when the profile selects nothing.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ClassGrade } from "../runner/model/grade.ts";
import type { GradedTarget } from "../runner/grade/grade.ts";
import type { ExitCode } from "../runner/model/result.ts";
import type { Target } from "../runner/model/target.ts";
import type { Profile } from "../runner/profile/profile.ts";
import type { Shard } from "../runner/plan/shard.ts";
import { BUNDLED_SUITES, PACKAGE_ROOT } from "./package-root.ts";
import { UsageError } from "./arguments.ts";
import { abortOnSignals } from "./interrupt.ts";

export interface GradeFlags {
  targets?: string;
  profile: string;
  out: string;
  concurrency: number;
  /** Tests at once per target, for entries without `jobs:` (runner/grade/jobs.ts). */
  jobs?: number;
  timeout: number;
  targetTimeout: number;
  /** Exit 3 when a target is unreachable, wholly or in part (CI: a student's server that is down fails the job). */
  failOnUnreachable?: boolean;
  /** --shard i/n: grade only the i-th block of the targets (merge-grades joins the folders). */
  shard?: Shard;
}

export const DEFAULT_PROFILE = "full";
export const DEFAULT_GRADE_OUT = "reports/grade";
export const PROFILES_DIR = path.join(PACKAGE_ROOT, "profiles");

export async function gradeCommand(paths: string[], flags: GradeFlags): Promise<ExitCode> {
  if (!flags.targets) throw new UsageError("grade needs --targets FILE (a targets file with a 'targets:' list)");
  const { loadTargets } = await import("../runner/target/load.ts");
  const { loadProfile, resolveProfile, shippedProfiles, ProfileError } = await import("../runner/profile/load.ts");
  const { didYouMean } = await import("../runner/suite/did-you-mean.ts");
  let targets: Target[];
  let profile: Profile;
  const problems: string[] = [];
  try {
    targets = await loadTargets(flags.targets);
  } catch (e) {
    problems.push((e as Error).message);
    targets = [];
  }
  const profileFile = resolveProfile(flags.profile, PROFILES_DIR, process.cwd());
  try {
    profile = await loadProfile(profileFile);
  } catch (e) {
    const shipped = await shippedProfiles(PROFILES_DIR);
    // A bare name that is no shipped profile: suggest the nearest one instead of "no such file".
    const isName = !/[/\\]|\.ya?ml$/i.test(flags.profile);
    if (e instanceof ProfileError && e.errors[0]?.line === 0 && isName) {
      const near = didYouMean(flags.profile, shipped);
      problems.push(`no profile '${flags.profile}'${near ? ` (did you mean '${near}'?)` : ""}; shipped profiles: ${shipped.join(", ")}, or give a file`);
    } else problems.push((e as Error).message);
    profile = undefined as unknown as Profile;
  }
  if (problems.length > 0) {
    process.stderr.write(problems.join("\n\n") + "\n");
    return 2;
  }
  const { gradeClass } = await import("../runner/grade/grade.ts");
  const { writeClassPages } = await import("../runner/report/scoreboard/write.ts");
  const { studentReportHtml } = await import("../runner/report/scoreboard/student.ts");
  const outDir = path.resolve(flags.out);
  // A student's page is written as soon as the target is graded and its report let go: the full profile's reports
  // of a class of 100 held to the end would outgrow the heap. The page reads only the profile of the class grade.
  const pageHeader = { profile: { name: profile.name, title: profile.title, passMark: profile.passMark, weights: profile.weights } } as ClassGrade;
  const writeStudentPage = (graded: GradedTarget) => {
    const file = path.join(outDir, graded.grade.reportHtml);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, studentReportHtml(pageHeader, graded.grade, graded.report?.tests ?? []));
  };
  const controller = new AbortController();
  const stopListening = abortOnSignals(controller, (signal) =>
    process.stderr.write(`\nmailconform: ${signal}: stopping the running targets and writing the scoreboard, which marks them incomplete (${signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"} again to kill)\n`),
  );
  try {
    const result = await gradeClass({
      targets,
      profile,
      paths: paths.length > 0 ? paths : [BUNDLED_SUITES],
      outDir,
      cwd: process.cwd(),
      concurrency: flags.concurrency,
      ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
      timeoutMs: flags.timeout,
      targetBudgetMs: flags.targetTimeout,
      out: process.stdout,
      err: process.stderr,
      signal: controller.signal,
      failOnUnreachable: flags.failOnUnreachable ?? false,
      ...(flags.shard ? { shard: flags.shard } : {}),
      onGraded: writeStudentPage,
      keepReports: false,
    });
    if (!result.grade) return result.exitCode;
    const { index } = writeClassPages(outDir, result.grade);
    const passed = result.grade.targets.filter((t) => t.passedMark).length;
    process.stdout.write(`\n${passed} of ${result.grade.targets.length} targets reached the pass mark of ${profile.passMark}%\nScoreboard: ${path.relative(process.cwd(), index) || index}\n`);
    const count = (...statuses: string[]) => result.grade!.targets.filter((t) => statuses.includes(t.status)).length;
    if (result.exitCode >= 130) process.stdout.write(`Interrupted: ${count("incomplete")} targets incomplete; exit code ${result.exitCode}\n`);
    else if (result.exitCode === 3) process.stdout.write(`${count("unreachable", "partly-unreachable")} targets unreachable (--fail-on-unreachable); exit code 3\n`);
    return result.exitCode;
  } finally {
    stopListening();
  }
}

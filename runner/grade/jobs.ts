// How many tests grade runs at once on one target. One unless the class asks
// for more (a target's `jobs:` in the targets file, else grade --jobs): a
// foreign server's users are the teacher's to hand out, as `run --jobs` is
// explicit against a foreign target. Tests side by side must not share a user
// (a POP3 session locks its user's maildrop, an IMAP test counts EXISTS in its
// user's INBOX), so a target gets several jobs only when its users make a
// disjoint set per job (plan/user-sets.ts, as `run --jobs` does); with too few
// users it keeps one test at a time. And the class stays within a bound on
// the tests in flight on the machine: targets at once (--concurrency) × jobs
// per target ≤ TESTS_IN_FLIGHT_PER_CPU per CPU.
// Pure. Standards: none (scheduling).

import type { TestCase } from "../model/ast.ts";
import type { TargetUser } from "../model/target.ts";
import { userSets } from "../plan/user-sets.ts";

/**
 * Tests in flight per CPU across the class. A test mostly waits on its server
 * (the grader's profile of one target alone: 82 % idle), so a CPU serves
 * several; `run` gives the bundled server 8 jobs on the same grounds.
 */
export const TESTS_IN_FLIGHT_PER_CPU = 8;

/** Tests in flight the whole class may have: never below one CPU's worth, so a 1-CPU machine still runs jobs. */
export function testsInFlight(cpus: number): number {
  return TESTS_IN_FLIGHT_PER_CPU * Math.max(1, cpus);
}

/** The most jobs one target may have while `concurrency` targets are graded at once on `cpus` CPUs. */
export function jobsCap(concurrency: number, cpus: number): number {
  return Math.max(1, Math.floor(testsInFlight(cpus) / Math.max(1, concurrency)));
}

/**
 * The user set of each job, the first starting with the target's main user;
 * one set (the target's users as given) when the target gets one job.
 * `requested`: the target's `jobs:` or grade --jobs (absent: 1); `cap` from jobsCap.
 */
export function jobUserSets(users: readonly TargetUser[], tests: readonly TestCase[], requested: number | undefined, cap: number): TargetUser[][] {
  const wanted = Math.min(requested ?? 1, cap);
  return userSets(users, wanted, tests) ?? [[...users]];
}

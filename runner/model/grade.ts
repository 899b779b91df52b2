// A graded class: one entry per target with its weighted score (overall and
// per protocol), MUST failures and reachability, plus where its reports are.
// Produced by runner/grade/, rendered by report/scoreboard/ as HTML, CSV and
// JSON. Types only, JSON-serialisable.

import type { Level, Protocol } from "./ast.ts";
import type { ExitCode, Summary } from "./result.ts";
import type { RunStats } from "./stats.ts";

export interface Score {
  /** earned / possible in percent, one decimal; absent when nothing scoreable ran (possible = 0). */
  percent?: number;
  earned: number;
  possible: number;
  /** Tests that counted: passed, and failed or errored (not-run tests and missing endpoints count as failed). */
  passed: number;
  failed: number;
  /** Skipped tests left out of the score (an unadvertised extension, too few users). */
  ignored: number;
  /** Failed or errored MUST tests. */
  mustFailed: number;
}

export type TargetStatus =
  /** Every protocol it was asked for answered. */
  | "graded"
  /** Some protocols answered, others did not. */
  | "partly-unreachable"
  /** None answered: the run's exit code 3. */
  | "unreachable"
  /** Every protocol answered, but a user's login failed in the pre-check (`loginFailures`); the tests needing it were not run. */
  | "login-failed"
  /** The runner could not finish this target (our bug, or it ran out of its time budget). */
  | "incomplete";

export interface TargetGrade {
  name: string;
  host: string;
  status: TargetStatus;
  /** Protocols whose endpoint could not be reached. */
  unreachable: Protocol[];
  /** Logins the pre-check saw fail, "login failed for alice (IMAP)"; empty when all worked. */
  loginFailures: string[];
  score: Score;
  protocols: Partial<Record<Protocol, Score>>;
  passedMark: boolean;
  summary: Summary;
  exitCode: ExitCode;
  durationMs: number;
  /** Paths relative to the scoreboard page. */
  reportHtml: string;
  reportJson: string;
  stats?: RunStats;
  /** Why the target's run stopped early or failed inside the runner. */
  notes: string[];
}

export interface ClassGrade {
  version: 1;
  profile: { name: string; title: string; passMark: number; weights: Record<Level, number> };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Tests the profile selected from the suites. */
  tests: number;
  /** grade --shard i/n: this scoreboard holds only shard i's block of a class of `classSize` targets; merge-grades joins the shards. */
  shard?: { index: number; total: number; classSize: number };
  /** merge-grades --allow-missing: the shards (1-based, of `total`) whose targets are not in this scoreboard. */
  missingShards?: { missing: number[]; total: number };
  targets: TargetGrade[];
}

// The weighted score of a set of results under a profile: each counted test
// is worth its level's weight; a pass earns it. Pure. Which skips count is
// decided here, in one place, from the orchestrator's typed skip kinds.
// Below both users: gate/ (--min-score) and grade/ (the class scoreboard).
// Standards: RFC 2119 (requirement levels).

import type { Level, Protocol } from "../model/ast.ts";
import type { TestStatus } from "../model/failure.ts";
import type { SkipKind } from "../model/result.ts";
import type { Score } from "../model/grade.ts";
import type { Profile } from "./profile.ts";

export interface Scorable {
  id: string;
  protocol: Protocol;
  level: Level;
  status: TestStatus;
  skipKind?: SkipKind;
}

/**
 * How a skipped test counts, by the kind the orchestrator gave it
 * (model/result.ts SkipKind). A test the run never reached or stopped in the
 * middle, or a protocol the target lacks, is a missing piece of the
 * assignment: failed. Too few users is the teacher's targets file: ignored.
 * An unadvertised extension follows the profile. A skip without a kind
 * (a report from before kinds existed) is ignored.
 */
export function skipCounts(kind: SkipKind | undefined, unadvertised: Profile["unadvertised"]): "failed" | "ignored" {
  switch (kind) {
    case "not-run":
    case "aborted":
    case "no-endpoint":
      return "failed";
    case "unadvertised":
      return unadvertised === "fail" ? "failed" : "ignored";
    case "too-few-users":
    case undefined:
      return "ignored";
  }
}

export function scoreResults(results: readonly Scorable[], profile: Pick<Profile, "weights" | "unadvertised">): Score {
  const score: Score = { earned: 0, possible: 0, passed: 0, failed: 0, ignored: 0, mustFailed: 0 };
  for (const r of results) {
    const verdict = r.status === "passed" ? "passed" : r.status === "skipped" ? skipCounts(r.skipKind, profile.unadvertised) : "failed";
    if (verdict === "ignored") {
      score.ignored++;
      continue;
    }
    const weight = profile.weights[r.level];
    score.possible += weight;
    if (verdict === "passed") {
      score.earned += weight;
      score.passed++;
    } else {
      score.failed++;
      if (r.level === "MUST") score.mustFailed++;
    }
  }
  if (score.possible > 0) score.percent = Math.round((score.earned / score.possible) * 1000) / 10;
  return score;
}

export function scoreByProtocol(results: readonly Scorable[], profile: Pick<Profile, "weights" | "unadvertised">): Partial<Record<Protocol, Score>> {
  const out: Partial<Record<Protocol, Score>> = {};
  for (const p of ["smtp", "pop3", "imap", "lmtp"] as const) {
    const rs = results.filter((r) => r.protocol === p);
    if (rs.length > 0) out[p] = scoreResults(rs, profile);
  }
  return out;
}

// The weighted score of a set of results under a profile: each counted test
// is worth its level's weight; a pass earns it. Pure. Which skips count is
// decided here, in one place, from the orchestrator's skip reasons.
// Standards: RFC 2119 (requirement levels).

import type { Level, Protocol } from "../model/ast.ts";
import type { TestStatus } from "../model/failure.ts";
import type { Score } from "../model/grade.ts";
import type { Profile } from "../profile/profile.ts";

export interface Scorable {
  id: string;
  protocol: Protocol;
  level: Level;
  status: TestStatus;
  skipReason?: string;
}

/**
 * How a skipped test counts. The reasons are the orchestrator's own words
 * (run/pool.ts "not run: …", plan/select.ts "target has no … endpoint",
 * "target has N users…", "server does not advertise …"); test/grade pins them.
 * A test the run never reached, or a protocol the target lacks, is a missing
 * piece of the assignment: failed. Too few users is the teacher's targets
 * file: ignored. An unadvertised extension follows the profile.
 */
export function skipCounts(reason: string | undefined, unadvertised: Profile["unadvertised"]): "failed" | "ignored" {
  const r = reason ?? "";
  if (r.startsWith("not run:")) return "failed";
  if (/^target has no .* endpoint/.test(r)) return "failed";
  if (r.startsWith("server does not advertise")) return unadvertised === "fail" ? "failed" : "ignored";
  return "ignored";
}

export function scoreResults(results: readonly Scorable[], profile: Pick<Profile, "weights" | "unadvertised">): Score {
  const score: Score = { earned: 0, possible: 0, passed: 0, failed: 0, ignored: 0, mustFailed: 0 };
  for (const r of results) {
    const verdict = r.status === "passed" ? "passed" : r.status === "skipped" ? skipCounts(r.skipReason, profile.unadvertised) : "failed";
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
  for (const p of ["smtp", "pop3", "imap"] as const) {
    const rs = results.filter((r) => r.protocol === p);
    if (rs.length > 0) out[p] = scoreResults(rs, profile);
  }
  return out;
}

// A mutant's result from its run, the lines printed for it, and the score:
// killed / (killed + survived + timed out). Equivalent mutants are not
// scored; a broken one (the run never reached a test) is an error of the
// corpus, not a kill, and fails the run. Standards: none (tooling).

import type { Mutant, Protocol } from "./corpus.ts";
import type { Verdict } from "./execute.ts";

export type Status = "killed" | "survived" | "equivalent" | "broken" | "timed-out";

export interface MutantResult {
  mutant: Mutant;
  status: Status;
  /** The tests that failed or errored (killed only). */
  killedBy: string[];
  durationMs: number;
  /** Why a run broke, or what is wrong with an `equivalent` claim. */
  detail?: string;
}

export function classify(mutant: Mutant, verdict: Verdict, durationMs: number): MutantResult {
  const base = { mutant, killedBy: [] as string[], durationMs };
  switch (verdict.kind) {
    case "failed":
      // A test told it apart, so the `equivalent` claim is wrong: scored as killed, and flagged.
      return {
        ...base,
        status: "killed",
        killedBy: verdict.failing,
        ...(mutant.equivalent !== undefined ? { detail: 'marked equivalent, but a test kills it: remove its "equivalent"' } : {}),
      };
    case "passed":
      return { ...base, status: mutant.equivalent !== undefined ? "equivalent" : "survived" };
    case "timed-out":
      return { ...base, status: "timed-out" };
    case "broken":
      return { ...base, status: "broken", detail: verdict.detail };
  }
}

/** The line printed when a mutant finishes. */
export function resultLine(r: MutantResult, timeoutS: number): string {
  const { id, description, rfc, equivalent } = r.mutant;
  switch (r.status) {
    case "killed": {
      const more = r.killedBy.length > 1 ? ` (+${r.killedBy.length - 1} more)` : "";
      return `killed   ${id}  by ${r.killedBy[0]}${more}${r.detail ? `  — ${r.detail}` : ""}`;
    }
    case "survived":
      return `SURVIVED ${id}  — ${description} (${rfc})`;
    case "equivalent":
      return `equivalent ${id}  — not scored: ${oneLine(equivalent ?? "")}`;
    case "broken":
      return `broken   ${id}  — ${r.detail}`;
    case "timed-out":
      return `timed out ${id}  — no verdict within ${timeoutS} s (${description})`;
  }
}

export interface Tally {
  killed: number;
  /** killed + survived + timed out: what the score divides by. */
  scored: number;
  equivalent: number;
  broken: number;
  /** Percent, or null when nothing is scored. */
  score: number | null;
}

export function tally(results: readonly MutantResult[]): Tally {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  const killed = count("killed");
  const scored = killed + count("survived") + count("timed-out");
  return { killed, scored, equivalent: count("equivalent"), broken: count("broken"), score: scored === 0 ? null : (100 * killed) / scored };
}

export function tallyLine(name: string, t: Tally): string {
  const score = t.score === null ? "nothing scored" : `${t.killed} of ${t.scored} killed (${t.score.toFixed(1)} %)`;
  const extra = [t.equivalent > 0 ? `${t.equivalent} equivalent` : "", t.broken > 0 ? `${t.broken} broken` : ""].filter(Boolean);
  return `${name}: ${score}${extra.length > 0 ? `; ${extra.join(", ")}` : ""}`;
}

/** The closing summary: per protocol, the total, then every mutant that needs a look. */
export function summaryLines(results: readonly MutantResult[], protocols: readonly Protocol[], minScore: number): string[] {
  const lines = protocols
    .filter((p) => results.some((r) => r.mutant.protocol === p))
    .map((p) => tallyLine(p, tally(results.filter((r) => r.mutant.protocol === p))));
  lines.push(`${tallyLine("total", tally(results))} — minimum ${minScore} %`);
  const listed = (title: string, status: Status, say: (r: MutantResult) => string) => {
    const some = results.filter((r) => r.status === status);
    if (some.length > 0) lines.push(`${title} (${some.length}):`, ...some.map((r) => `  ${r.mutant.id} — ${say(r)}  [${r.mutant.where}]`));
  };
  listed("survivors", "survived", (r) => `${r.mutant.description} (${r.mutant.rfc})`);
  listed("timed out", "timed-out", (r) => r.mutant.description);
  listed("broken (fix the corpus entry)", "broken", (r) => r.detail ?? "");
  const wrong = results.filter((r) => r.status === "killed" && r.mutant.equivalent !== undefined);
  if (wrong.length > 0) lines.push(`marked equivalent but killed (${wrong.length}):`, ...wrong.map((r) => `  ${r.mutant.id} — by ${r.killedBy[0]}  [${r.mutant.where}]`));
  return lines;
}

/** 0, or 1 when the score is under the minimum, a run broke, or an `equivalent` claim was disproved. */
export function exitCode(results: readonly MutantResult[], minScore: number): 0 | 1 {
  const t = tally(results);
  const wrongEquivalent = results.some((r) => r.status === "killed" && r.mutant.equivalent !== undefined);
  return (t.score !== null && t.score < minScore) || t.broken > 0 || wrongEquivalent ? 1 : 0;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 100)}…` : flat;
}

// Which mutants a run tries: by protocol, by id, and a deterministic sample.
// The sample orders mutants by a hash of (seed, id), so one seed always picks
// the same ones, and a mutant added to the corpus moves no other in or out
// except by taking a place. Standards: none (tooling).

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { Mutant } from "./corpus.ts";

export function select(mutants: readonly Mutant[], options: { id?: RegExp; sample?: number; seed: string }): Mutant[] {
  const chosen = mutants.filter((m) => options.id === undefined || options.id.test(m.id));
  if (options.sample === undefined) return chosen;
  // An equivalent mutant is not scored, so a sample never spends a run on one.
  const candidates = chosen.filter((m) => m.equivalent === undefined);
  const rank = (m: Mutant) => createHash("sha256").update(`${options.seed}\0${m.id}`).digest("hex");
  const picked = new Set(
    candidates
      .map((m) => ({ m, key: rank(m) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, options.sample)
      .map((x) => x.m),
  );
  // Corpus order, so that the output reads protocol by protocol.
  return candidates.filter((m) => picked.has(m));
}

/** The default seed: the commit checked out, so one commit always samples the same mutants. */
export function defaultSeed(root: string): string {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "no-git";
  }
}

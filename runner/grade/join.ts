// The scoreboards of a class graded in shards (grade --shard i/n on n CI
// machines) joined back into one: the shards must come from one class and
// one profile, none twice; their targets are put back in the targets file's
// order (shard 1's block first). A set with a shard missing is refused unless
// the caller allows it; the joined scoreboard then says which are missing.
// Standards: none (report format).

import type { ClassGrade } from "../model/grade.ts";

export class JoinError extends Error {
  /** "missing": the shards fit together but some are absent (merge-grades exits 5); "mismatch": they do not fit (exit 2). */
  constructor(message: string, readonly kind: "missing" | "mismatch" = "mismatch") {
    super(message);
  }
}

export interface JoinedClass {
  grade: ClassGrade;
  /** Shard numbers (1-based) not among the inputs; empty when the class is whole. */
  missing: number[];
}

/** `sources` name each scoreboard in messages (its folder). */
export function joinScoreboards(boards: readonly { source: string; grade: ClassGrade }[], options: { allowMissing?: boolean } = {}): JoinedClass {
  if (boards.length === 0) throw new JoinError("no scoreboards to join");
  for (const { source, grade } of boards) {
    if (grade.version !== 1) throw new JoinError(`${source}: scoreboard version ${String(grade.version)}, expected 1`);
    if (!grade.shard) throw new JoinError(`${source}: not a shard (graded without --shard i/n); nothing to join it with`);
  }
  const first = boards[0]!;
  const { total, classSize } = first.grade.shard!;
  const seen = new Map<number, string>();
  for (const { source, grade } of boards) {
    const s = grade.shard!;
    const differs =
      s.total !== total ? `${s.total} shards, ${first.source} has ${total}`
      : s.classSize !== classSize ? `a class of ${s.classSize} targets, ${first.source} has ${classSize}`
      : grade.profile.name !== first.grade.profile.name ? `profile ${grade.profile.name}, ${first.source} has ${first.grade.profile.name}`
      : grade.tests !== first.grade.tests ? `${grade.tests} tests selected, ${first.source} has ${first.grade.tests} (different suites?)`
      : undefined;
    if (differs) throw new JoinError(`${source}: does not belong with the others: ${differs}`);
    const twice = seen.get(s.index);
    if (twice) throw new JoinError(`shard ${s.index}/${total} given twice: ${twice} and ${source}`);
    seen.set(s.index, source);
  }
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0 && !options.allowMissing) {
    throw new JoinError(`shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${total}`).join(", ")} missing (give every shard's folder, or --allow-missing)`, "missing");
  }
  const ordered = [...boards].sort((a, b) => a.grade.shard!.index - b.grade.shard!.index).map((b) => b.grade);
  const startedAt = ordered.map((g) => g.startedAt).sort()[0]!;
  const finishedAt = ordered.map((g) => g.finishedAt).sort().at(-1)!;
  const grade: ClassGrade = {
    version: 1,
    profile: first.grade.profile,
    startedAt,
    finishedAt,
    // Wall time of the whole class: from the earliest shard's start to the latest one's end.
    durationMs: Date.parse(finishedAt) - Date.parse(startedAt),
    tests: first.grade.tests,
    ...(missing.length > 0 ? { missingShards: { missing, total } } : {}),
    targets: ordered.flatMap((g) => g.targets),
  };
  return { grade, missing };
}

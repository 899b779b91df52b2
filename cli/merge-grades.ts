// `mailconform merge-grades DIR…`: the folders written by `grade --shard i/n`
// on several machines → one scoreboard folder (index.html, scoreboard.csv,
// scoreboard.json, targets/<name>/ copied over). Exit 0 when joined; 5 when
// shards are missing (unless --allow-missing: the page then says which); 2
// when a folder holds no readable scoreboard or the shards do not fit
// together (another class, profile or shard count, a shard given twice). The
// class's exit code (1 incomplete, 3 unreachable) is grade's to give, per shard.

import { cpSync, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ClassGrade } from "../runner/model/grade.ts";
import type { ExitCode } from "../runner/model/result.ts";

export interface MergeGradesFlags {
  out: string;
  allowMissing?: boolean;
}

export async function mergeGradesCommand(dirs: string[], flags: MergeGradesFlags): Promise<ExitCode> {
  const { joinScoreboards, JoinError } = await import("../runner/grade/join.ts");
  const { writeClassPages } = await import("../runner/report/scoreboard/write.ts");
  const { EXIT_INCOMPLETE } = await import("../runner/report/merge.ts");
  const fail = (message: string): ExitCode => {
    process.stderr.write(`mailconform merge-grades: ${message}\n`);
    return 2;
  };
  const boards: { source: string; grade: ClassGrade }[] = [];
  for (const dir of dirs) {
    const file = path.join(dir, "scoreboard.json");
    try {
      boards.push({ source: dir, grade: JSON.parse(await readFile(file, "utf8")) as ClassGrade });
    } catch (e) {
      return fail(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (is this a folder grade --shard wrote?)" : (e as Error).message}`);
    }
  }
  let joined;
  try {
    joined = joinScoreboards(boards, { allowMissing: flags.allowMissing ?? false });
  } catch (e) {
    if (!(e instanceof JoinError)) throw e;
    if (e.kind === "mismatch") return fail(e.message);
    process.stderr.write(`mailconform merge-grades: ${e.message}\n`);
    return EXIT_INCOMPLETE;
  }
  const out = path.resolve(flags.out);
  for (const { source } of boards) {
    const from = path.resolve(source, "targets");
    // The per-target pages and reports move as they are: their links are relative to the scoreboard folder.
    if (existsSync(from) && from !== path.join(out, "targets")) cpSync(from, path.join(out, "targets"), { recursive: true });
  }
  const { index } = writeClassPages(out, joined.grade);
  const passed = joined.grade.targets.filter((t) => t.passedMark).length;
  process.stdout.write(
    `Joined ${boards.length} shard${boards.length === 1 ? "" : "s"}: ${joined.grade.targets.length} targets, ${passed} reached the pass mark of ${joined.grade.profile.passMark}%` +
      (joined.missing.length > 0 ? ` (incomplete: shard${joined.missing.length === 1 ? "" : "s"} ${joined.missing.join(", ")} missing)` : "") +
      `\nScoreboard: ${path.relative(process.cwd(), index) || index}\n`,
  );
  return 0;
}

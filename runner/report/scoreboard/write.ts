// Writes a graded class into its folder: index.html (the scoreboard),
// scoreboard.csv, scoreboard.json, and targets/<name>/index.html next to each
// target's report.json. Paths inside the pages are relative, so the folder
// can be moved or published as it is.
// Standards: none.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ClassGrade } from "../../model/grade.ts";
import type { TestResult } from "../../model/result.ts";
import { scoreboardCsv, scoreboardHtml } from "./scoreboard.ts";
import { studentReportHtml } from "./student.ts";

export function writeScoreboard(outDir: string, grade: ClassGrade, testsOf: (targetIndex: number) => readonly TestResult[]): { index: string } {
  const { index } = writeClassPages(outDir, grade);
  grade.targets.forEach((t, i) => {
    const file = path.join(outDir, t.reportHtml);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, studentReportHtml(grade, t, testsOf(i)));
  });
  return { index };
}

/** The class-wide files only (the per-target pages already exist, e.g. when shards are joined). */
export function writeClassPages(outDir: string, grade: ClassGrade): { index: string } {
  mkdirSync(outDir, { recursive: true });
  const index = path.join(outDir, "index.html");
  writeFileSync(index, scoreboardHtml(grade));
  writeFileSync(path.join(outDir, "scoreboard.csv"), scoreboardCsv(grade));
  writeFileSync(path.join(outDir, "scoreboard.json"), JSON.stringify(grade, null, 2) + "\n");
  return { index };
}

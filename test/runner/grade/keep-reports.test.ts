// A class graded without keeping its reports (what `mailconform grade` does,
// so the full profile's reports of a class of 100 do not outgrow the heap):
// every target reaches onGraded with its report, `graded` then holds the
// grades only, and the grades are those of a run that keeps them. The
// command itself writes each student's page as it goes: the same page
// writeScoreboard writes from the same report.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { gradeClass, type GradedTarget, type GradeOptions, type RunReport } from "../../../runner/grade/grade.ts";
import { loadProfile } from "../../../runner/profile/load.ts";
import { studentReportHtml } from "../../../runner/report/scoreboard/student.ts";
import { loadTargets } from "../../../runner/target/load.ts";
import type { ClassGrade, TargetGrade } from "../../../runner/model/grade.ts";
import { runCli } from "../../support/cli-process.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITE = path.join(HERE, "fixtures", "smtp-class.yaml");
const PROFILE = path.join(HERE, "..", "..", "..", "profiles", "smtp-basics.yaml");

/** What does not depend on when or how fast the target ran. */
const stable = (g: TargetGrade) => ({ ...g, durationMs: 0, stats: undefined });

describe("grade: reports let go as each target is graded", function () {
  this.timeout(60_000);
  let dir = "";
  let server: RunningServer;
  let targetsFile = "";

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-keep-reports-"));
    server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
    targetsFile = path.join(dir, "class.yaml");
    // A missing user makes one target fail tests, so the pages have failures with transcripts to compare.
    await writeFile(
      targetsFile,
      [
        "defaults: { host: 127.0.0.1, domain: example.test }",
        "targets:",
        `  - { name: anna, smtp: ${server.ports.smtp}, users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }] }`,
        `  - { name: ben, smtp: ${server.ports.smtp}, users: [{ login: nobody, password: x, address: nobody@example.test }] }`,
        `  - { name: carl, smtp: ${server.ports.smtp}, users: [{ login: alice, password: alice-pw }] }`,
        "",
      ].join("\n"),
    );
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const grade = async (extra: Partial<GradeOptions>, out: string) =>
    gradeClass({
      targets: await loadTargets(targetsFile),
      profile: await loadProfile(PROFILE),
      paths: [SUITE],
      outDir: path.join(dir, out),
      cwd: dir,
      concurrency: 2,
      timeoutMs: 2000,
      targetBudgetMs: 30_000,
      out: { write: () => {} },
      err: { write: () => {} },
      ...extra,
    });

  it("hands every target's report to onGraded, keeps none, and grades as a run that keeps them", async () => {
    const seen: { index: number; graded: GradedTarget }[] = [];
    const lean = await grade({ keepReports: false, onGraded: (graded, index) => seen.push({ index, graded }) }, "lean");
    const kept = await grade({}, "kept");
    expect(lean.exitCode).to.equal(0);
    expect(seen.map((s) => s.index).sort()).to.deep.equal([0, 1, 2]);
    for (const { index, graded } of seen) {
      expect(graded.grade).to.equal(lean.grade!.targets[index]);
      expect(graded.report?.tests.length, graded.grade.name).to.be.greaterThan(0);
    }
    expect(lean.graded.every((g) => g.report === undefined)).to.equal(true);
    expect(kept.graded.every((g) => g.report !== undefined)).to.equal(true);
    expect(lean.grade!.targets.map(stable)).to.deep.equal(kept.grade!.targets.map(stable));
    expect(lean.grade!.targets.some((t) => t.summary.failed > 0)).to.equal(true);
  });

  it("mailconform grade writes each student's page as writeScoreboard does from the same report", async () => {
    const outcome = await runCli(["grade", SUITE, "--targets", targetsFile, "--profile", PROFILE, "--out", "cli-out", "--timeout", "2000"], dir, 40_000);
    expect(outcome.code, outcome.stderr).to.equal(0);
    const out = path.join(dir, "cli-out");
    const board = JSON.parse(await readFile(path.join(out, "scoreboard.json"), "utf8")) as ClassGrade;
    expect(board.targets).to.have.length(3);
    for (const t of board.targets) {
      const report = JSON.parse(await readFile(path.join(out, t.reportJson), "utf8")) as RunReport;
      const page = await readFile(path.join(out, t.reportHtml), "utf8");
      expect(page, t.name).to.equal(studentReportHtml(board, t, report.tests));
    }
  });
});

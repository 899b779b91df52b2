// The CI gate: --fail-on levels, --min-score, baselines with regressions and
// fixes, --fail-on-regression, and that exit codes 2-4 are never overridden;
// then through the real CLI against the bundled reference server.

import { describe, it, before, after } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { applyGate } from "../../../runner/gate/gate.ts";
import { loadBaseline, BaselineError, type Baseline } from "../../../runner/gate/baseline.ts";
import type { Level } from "../../../runner/model/ast.ts";
import type { TestStatus } from "../../../runner/model/failure.ts";
import type { TestResult } from "../../../runner/model/result.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SUITE = path.join(ROOT, "test", "runner", "grade", "fixtures", "smtp-class.yaml");

function result(id: string, level: Level, status: TestStatus): TestResult {
  return { id, title: id, protocol: "smtp", file: "x.yaml", line: 1, refs: ["RFC 5321"], level, tags: [], status, durationMs: 1, warnings: [], steps: [], transcript: [] };
}

const baseline = (entries: [string, Level, TestStatus][]): Baseline => ({ file: "base.json", tests: new Map(entries.map(([id, level, status]) => [id, { level, status }])) });

describe("gate", () => {
  const results = [result("a.must", "MUST", "passed"), result("b.should", "SHOULD", "failed"), result("c.may", "MAY", "error")];

  it("--fail-on must passes a run whose only failures are SHOULD and MAY", () => {
    const v = applyGate({ failOn: "must", failOnRegression: false }, results, 1, 0);
    expect(v.exitCode).to.equal(0);
    expect(v.ungatedExitCode).to.equal(1);
    expect(v.score).to.equal(75); // 3 of 4 points: MUST 3 earned, SHOULD 1 lost, MAY weighs 0
  });

  it("--fail-on should and any fail on them", () => {
    expect(applyGate({ failOn: "should", failOnRegression: false }, results, 1, 0).reasons).to.deep.equal(["1 MUST/SHOULD test failed (--fail-on should)"]);
    expect(applyGate({ failOn: "any", failOnRegression: false }, results, 1, 0).exitCode).to.equal(1);
  });

  it("--fail-on does not count an expected deviation; the same failure unlisted fails the run", () => {
    const listed = { ref: "RFC 5321 §4.1.4", reason: "known", source: "dev.yaml:1:1" };
    const deviating = { ...result("d.must", "MUST", "failed"), deviation: { ...listed, fixed: false } };
    const v = applyGate({ failOn: "any", failOnRegression: false }, [result("a.must", "MUST", "passed"), deviating], 0, 0);
    expect(v.reasons).to.deep.equal([]);
    expect(v.exitCode).to.equal(0);
    const unlisted = applyGate({ failOn: "any", failOnRegression: false }, [result("a.must", "MUST", "passed"), result("d.must", "MUST", "failed")], 1, 0);
    expect(unlisted.exitCode).to.equal(1);
  });

  it("--min-score fails below and passes at the threshold", () => {
    expect(applyGate({ failOn: "must", minScore: 80, failOnRegression: false }, results, 1, 0).reasons).to.deep.equal(["score 75% is below --min-score 80%"]);
    expect(applyGate({ failOn: "must", minScore: 75, failOnRegression: false }, results, 1, 0).exitCode).to.equal(0);
  });

  it("finds regressions and fixes against a baseline; --fail-on-regression fails only on regressions", () => {
    const base = baseline([["a.must", "MUST", "failed"], ["b.should", "SHOULD", "passed"], ["c.may", "MAY", "error"], ["gone", "MUST", "passed"]]);
    const v = applyGate({ failOn: "any", baseline: base, failOnRegression: true }, results, 1, 0);
    expect(v.regressions).to.deep.equal([{ id: "b.should", level: "SHOULD", before: "passed", now: "failed" }]);
    expect(v.fixes).to.deep.equal([{ id: "a.must", level: "MUST", before: "failed", now: "passed" }]);
    expect(v.exitCode).to.equal(1);
    const none = applyGate({ failOn: "any", baseline: baseline([["b.should", "SHOULD", "failed"]]), failOnRegression: true }, results, 1, 0);
    expect(none.exitCode).to.equal(0);
  });

  it("never turns unreachable, bad input or nothing-matched into a pass, nor hides a run error", () => {
    for (const code of [2, 3, 4] as const) expect(applyGate({ failOn: "must", failOnRegression: false }, results, code, 0).exitCode).to.equal(code);
    expect(applyGate({ failOn: "must", failOnRegression: false }, [result("a", "MUST", "passed")], 1, 1).exitCode).to.equal(1);
  });

  it("rejects a baseline that is missing or no report", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "mailconform-gate-"));
    const failure = async (file: string) => {
      try {
        await loadBaseline(file);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    try {
      await writeFile(path.join(dir, "x.json"), '{"tests": 1}');
      const e = await failure(path.join(dir, "x.json"));
      expect(e).to.be.instanceOf(BaselineError);
      expect((e as Error).message).to.match(/not a mailconform JSON report/);
      expect(await failure(path.join(dir, "missing.json"))).to.be.instanceOf(BaselineError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("gate through the CLI", function () {
  this.timeout(30_000);
  let dir: string;
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, "bin", "mailconform.js"), ...args], { cwd: dir, timeout: 25_000, env: { ...process.env, GITHUB_ACTIONS: "", NO_COLOR: "1" } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-gate-cli-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("shows regressions against a baseline and fails only on them with --fail-on-regression", async () => {
    const base = path.join(dir, "base.json");
    const first = await run(["run", SUITE, "--report-json", base]);
    expect(first.code, first.stderr).to.equal(0);
    // Doctor the baseline: one test passed "before" that fails now is impossible against a healthy server,
    // so make one that passes now have failed before (a fix) and one missing test irrelevant.
    const doc = JSON.parse(await readFile(base, "utf8"));
    doc.tests.find((t: { id: string }) => t.id === "smtp.noop").status = "failed";
    await writeFile(base, JSON.stringify(doc));
    const second = await run(["run", SUITE, "--baseline", base, "--fail-on-regression", "--min-score", "90", "--stats", "--report-json", path.join(dir, "now.json"), "--report-ctrf", path.join(dir, "ctrf.json")]);
    expect(second.code, second.stdout + second.stderr).to.equal(0);
    expect(second.stdout).to.match(/0 regressions, 1 fix/).and.match(/fix\s+smtp\.noop \(MAY\): failed → passed/).and.match(/Protocol statistics/);
    expect(second.stdout.trimEnd().split("\n").at(-1)).to.equal("6 passed, 0 failed, 0 skipped");
    const now = JSON.parse(await readFile(path.join(dir, "now.json"), "utf8"));
    expect(now.gate.fixes).to.have.length(1);
    expect(now.stats.smtp.connections).to.equal(6);
    const ctrf = JSON.parse(await readFile(path.join(dir, "ctrf.json"), "utf8"));
    expect(ctrf.reportFormat).to.equal("CTRF");
    expect(ctrf.specVersion).to.equal("1.0.0");
    expect(ctrf.results.summary.tests).to.equal(6);
  });

  it("a bad baseline is a usage error before any connection", async () => {
    const r = await run(["run", SUITE, "--baseline", path.join(dir, "missing.json")]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--baseline .*missing\.json: no such file/);
  });
});

// Shards and merge through the CLI: the fixture suite in 2 shards, then
// `mailconform merge` joins their JSON reports into one JSON (validated by the
// report schema), JUnit and Allure set equal to an unsplit run's tests; the
// merge refuses a shard given twice, and a set missing a shard (or holding an
// interrupted one) exits 5 marked incomplete unless --allow-missing. Also the
// GitHub Actions reporter.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SUITE = path.join(ROOT, "test", "runner", "grade", "fixtures", "smtp-class.yaml");
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv2020) => void };

describe("shard and merge", function () {
  this.timeout(30_000);
  let dir: string;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, "bin", "mailconform.js"), ...args], { cwd: dir, timeout: 25_000, env: { ...process.env, GITHUB_ACTIONS: "", NO_COLOR: "1", ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-merge-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("merges two shards into one JSON, JUnit and Allure set", async () => {
    const [one, two] = await Promise.all([cli(["run", SUITE, "--shard", "1/2", "--report-json", "s1.json"]), cli(["run", SUITE, "--shard", "2/2", "--report-json", "s2.json"])]);
    expect(one.stdout).to.include("shard 1/2: 3 of 6 tests");
    expect(two.code, two.stderr).to.equal(0);
    const merged = await cli(["merge", "s1.json", "s2.json", "--report-json", "m.json", "--report-junit", "m.xml", "--report-allure", "allure", "--report-ctrf", "m-ctrf.json"]);
    expect(merged.code, merged.stderr).to.equal(0);
    const doc = JSON.parse(await readFile(path.join(dir, "m.json"), "utf8"));
    expect(doc.tests.map((t: { id: string }) => t.id)).to.deep.equal(["smtp.ehlo.multiline", "smtp.greeting", "smtp.noop", "smtp.rset.clears-transaction", "smtp.transaction.basic", "smtp.vrfy.answered"]);
    expect(doc.summary).to.deep.equal({ total: 6, passed: 6, failed: 0, skipped: 0, errors: 0 });
    expect(doc.stats.smtp.connections).to.equal(6);
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(ROOT, "runner", "schema", "report.schema.json"), "utf8")));
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    const xml = await readFile(path.join(dir, "m.xml"), "utf8");
    expect(xml.match(/<testcase /g)).to.have.length(6);
    const allure = (await readdir(path.join(dir, "allure"))).filter((f) => f.endsWith("-result.json"));
    expect(allure).to.have.length(6);
  });

  it("refuses the same shard twice and fails on a missing one", async () => {
    const twice = await cli(["merge", "s1.json", "s1.json"]);
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.match(/also in s1\.json/);
    const partial = await cli(["merge", "s1.json", "--report-json", "p.json", "--report-junit", "p.xml", "--report-allure", "pa"]);
    expect(partial.stderr).to.match(/shard 2\/2 missing/);
    expect(partial.code).to.equal(5);
  });

  it("a shard set with a shard missing exits 5 and says incomplete in every report, unless --allow-missing", async () => {
    const runs = await Promise.all([1, 2, 3].map((i) => cli(["run", SUITE, "--shard", `${i}/3`, "--report-json", `t${i}.json`])));
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    const reports = ["--report-json", "i.json", "--report-junit", "i.xml", "--report-allure", "ia", "--report-ctrf", "i-ctrf.json"];
    const partial = await cli(["merge", "t1.json", "t2.json", ...reports]);
    expect(partial.code, partial.stderr).to.equal(5);
    expect(partial.stderr).to.include("the merged report is incomplete: shard 3/3 missing (exit 5; --allow-missing merges a partial set)");
    const doc = JSON.parse(await readFile(path.join(dir, "i.json"), "utf8"));
    expect(doc.exitCode).to.equal(5);
    expect(doc.incomplete).to.deep.equal({ message: "incomplete: shard 3/3 missing", missingShards: ["3/3"] });
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(path.join(ROOT, "runner", "schema", "report.schema.json"), "utf8")));
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    expect(await readFile(path.join(dir, "i.xml"), "utf8")).to.include('<testcase name="run-incomplete" classname="mailconform" time="0.000">\n      <error message="incomplete: shard 3/3 missing" type="incomplete">');
    expect(JSON.parse(await readFile(path.join(dir, "i-ctrf.json"), "utf8")).results.extra.incomplete.missingShards).to.deep.equal(["3/3"]);

    const allowed = await cli(["merge", "t1.json", "t2.json", "--allow-missing", ...reports]);
    expect(allowed.code, allowed.stderr).to.equal(0);
    expect(allowed.stderr).to.include("warning: the merged report is incomplete: shard 3/3 missing (allowed by --allow-missing)");
    expect(JSON.parse(await readFile(path.join(dir, "i.json"), "utf8")).incomplete.missingShards).to.deep.equal(["3/3"]);

    // A shard whose job was cancelled wrote a report marked interrupted: the set is incomplete too.
    const cancelled = JSON.parse(await readFile(path.join(dir, "t2.json"), "utf8"));
    await writeFile(path.join(dir, "t2-cancelled.json"), JSON.stringify({ ...cancelled, exitCode: 130, interrupted: { signal: "SIGINT", message: "interrupted by SIGINT: 0 of 2 tests not run" } }));
    const withCancelled = await cli(["merge", "t1.json", "t2-cancelled.json", "t3.json", ...reports]);
    expect(withCancelled.code).to.equal(5);
    const merged = JSON.parse(await readFile(path.join(dir, "i.json"), "utf8"));
    expect(merged.incomplete).to.deep.equal({ message: "incomplete: shard 2/3 interrupted", interruptedShards: ["2/3"] });
    expect(merged.interrupted.signal).to.equal("SIGINT");
    const whole = await cli(["merge", "t1.json", "t2.json", "t3.json", ...reports]);
    expect(whole.code, whole.stderr).to.equal(0);
    expect(JSON.parse(await readFile(path.join(dir, "i.json"), "utf8"))).to.not.have.any.keys("incomplete", "interrupted");
  });

  it("annotates failures and writes a step summary in GitHub Actions", async () => {
    const summary = path.join(dir, "summary.md");
    await writeFile(summary, "");
    // A suite that expects the wrong code: a failure to annotate at its file and line.
    const failing = path.join(dir, "fail.yaml");
    await writeFile(failing, (await readFile(SUITE, "utf8")).replace("- expect: 503", "- expect: 250"));
    const bad = await cli(["run", failing, "--report-json", "gh2.json"], { GITHUB_ACTIONS: "true", GITHUB_STEP_SUMMARY: summary });
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/^::error file=fail\.yaml,line=\d+,col=\d+,title=smtp\.rset\.clears-transaction \(MUST\)::expected /m);
    const md = await readFile(summary, "utf8");
    expect(md).to.include("## mailconform: ❌").and.include("**5 passed, 1 failed, 0 skipped**").and.include("`smtp.rset.clears-transaction`");
  });
});

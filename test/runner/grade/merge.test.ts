// Shards and merge through the CLI: the fixture suite in 2 shards, then
// `mailconform merge` joins their JSON reports into one JSON (validated by the
// report schema), JUnit and Allure set equal to an unsplit run's tests; and
// the merge refuses a shard given twice. Also the GitHub Actions reporter.

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

  it("refuses the same shard twice and warns about a missing one", async () => {
    const twice = await cli(["merge", "s1.json", "s1.json"]);
    expect(twice.code).to.equal(2);
    expect(twice.stderr).to.match(/also in s1\.json/);
    const partial = await cli(["merge", "s1.json", "--report-json", "p.json", "--report-junit", "p.xml", "--report-allure", "pa"]);
    expect(partial.stderr).to.match(/shard 2\/2 missing/);
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

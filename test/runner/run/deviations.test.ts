// --expect-deviations end to end, piece by piece: the expectations file is
// read with positions (every mistake at file:line:col), unknown ids are
// errors, a listed failure becomes an expected deviation (apart in the
// summary, ignored by the exit code, skipped in JUnit and Allure, marked in
// console and JSON), and a listed test that passes is "deviation fixed".

import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { isExpectedDeviation, type TestResult } from "../../../runner/model/result.ts";
import { AllureReporter } from "../../../runner/report/allure.ts";
import { ConsoleReporter } from "../../../runner/report/console.ts";
import { JsonReporter } from "../../../runner/report/json.ts";
import { buildJunit } from "../../../runner/report/junit.ts";
import { applyDeviation } from "../../../runner/run/deviations.ts";
import { exitCodeFor, summarize } from "../../../runner/run/outcome.ts";
import { checkDeviationIds, loadDeviations, type DeviationEntry } from "../../../runner/suite/deviations.ts";
import { FAILED, PASSED, SKIPPED, sampleEvents, testCase } from "../report/sample-run.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SCHEMA = fileURLToPath(new URL("../../../runner/schema/report.schema.json", import.meta.url));

const ENTRY: DeviationEntry = { id: FAILED.id, ref: "RFC 5321 §4.1.1.3", reason: "refuses the recipient", file: path.join(REPO, "x.yaml"), line: 3, col: 9 };
const entries = (...list: DeviationEntry[]) => new Map(list.map((e) => [e.id, e]));
const display = (f: string) => path.relative(REPO, f);

describe("run: expected deviations", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-deviations-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(text: string) {
    const file = path.join(dir, "e.yaml");
    await writeFile(file, text);
    const { entries: list, errors } = await loadDeviations(file);
    return { list, lines: errors.map((e) => `${e.line}:${e.col}: ${e.message}`) };
  }

  it("loads entries with the position of each id; an empty list is fine", async () => {
    const { list, lines } = await load("deviations:\n  - id: smtp.transaction.basic\n    ref: RFC 5321 §3.3\n    reason: one line\n");
    expect(lines).to.deep.equal([]);
    expect(list).to.have.length(1);
    expect(list[0]).to.include({ id: "smtp.transaction.basic", ref: "RFC 5321 §3.3", reason: "one line", line: 2, col: 9 });
    expect((await load("deviations: []\n")).lines).to.deep.equal([]);
  });

  it("reports bad entries at file:line:col", async () => {
    const { lines } = await load(
      ["deviations:", "  - id: a.b", "    ref: RFC 1 §1", "    reson: typo", "  - id: a.b", "    ref: RFC 1 §1", "    reason: twice", "  - id: c.d", "    ref: ''", "    reason: r", ""].join("\n"),
    );
    expect(lines).to.deep.equal([
      "4:5: unknown key 'reson' in a deviation; expected id, ref, reason",
      "2:5: a deviation is missing 'reason'",
      "9:10: 'ref' must be a non-empty string",
    ]);
    expect((await load("devs: []\n")).lines).to.deep.equal(["1:1: an expectations file is a map with one key, 'deviations': a list of { id, ref, reason }"]);
    const twice = await load("deviations:\n  - { id: a.b, ref: r, reason: x }\n  - { id: a.b, ref: r, reason: y }\n");
    expect(twice.lines).to.deep.equal(["3:11: deviation 'a.b' is listed twice (first at line 2)"]);
  });

  it("an id that names no loaded test is an error, unless its protocol is not loaded at all", () => {
    const tests = [testCase("smtp.transaction.basic"), testCase("smtp.other")];
    const errors = checkDeviationIds([ENTRY, { ...ENTRY, id: "smtp.transaction.typo", line: 7 }, { ...ENTRY, id: "imap.not.loaded" }], tests);
    expect(errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).to.deep.equal(["7:9: deviation 'smtp.transaction.typo' names no loaded test"]);
  });

  it("a listed failure is an expected deviation: apart in the summary, the exit code ignores it", () => {
    const marked = applyDeviation(FAILED, entries(ENTRY), display);
    expect(marked.status).to.equal("failed");
    expect(marked.deviation).to.deep.equal({ ref: ENTRY.ref, reason: ENTRY.reason, source: "x.yaml:3:9", fixed: false });
    expect(isExpectedDeviation(marked)).to.equal(true);
    const summary = summarize([marked, PASSED, SKIPPED]);
    expect(summary).to.deep.equal({ total: 3, passed: 1, failed: 0, skipped: 1, errors: 0, deviations: 1 });
    expect(exitCodeFor({ summary, probed: 1, unreachable: 0, servable: 3, runErrors: 0 })).to.equal(0);
    expect(exitCodeFor({ summary: summarize([FAILED, PASSED]), probed: 1, unreachable: 0, servable: 2, runErrors: 0 })).to.equal(1);
  });

  it("a listed test that passes is 'deviation fixed' with a warning; skipped and unlisted tests are untouched", () => {
    const fixed = applyDeviation(PASSED, entries({ ...ENTRY, id: PASSED.id }), display);
    expect(fixed.deviation?.fixed).to.equal(true);
    expect(fixed.warnings[0]).to.match(/^deviation fixed: listed in x\.yaml:3:9/);
    expect(isExpectedDeviation(fixed)).to.equal(false);
    expect(summarize([fixed]).passed).to.equal(1);
    expect(applyDeviation(SKIPPED, entries({ ...ENTRY, id: SKIPPED.id }), display)).to.equal(SKIPPED);
    expect(applyDeviation(FAILED, entries(), display)).to.equal(FAILED);
  });

  function reportResults(): TestResult[] {
    return [applyDeviation(FAILED, entries(ENTRY), display), applyDeviation(PASSED, entries({ ...ENTRY, id: PASSED.id }), display), SKIPPED];
  }

  it("console: a deviation mark, a separate column, the counts line, no FAIL block", () => {
    let out = "";
    const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO });
    for (const e of sampleEvents(reportResults())) {
      reporter.onEvent(e.type === "run-end" ? { ...e, summary: summarize(reportResults()), exitCode: 0 } : e);
    }
    expect(out).to.include("~ smtp.transaction.basic (14 ms) deviation (RFC 5321 §4.1.1.3): refuses the recipient");
    expect(out).to.include("deviation fixed: listed in x.yaml:3:9");
    expect(out).not.to.include("FAIL smtp.transaction.basic");
    expect(out).to.match(/protocol\s+total\s+passed\s+failed\s+skipped\s+errors\s+deviations/);
    expect(out.trimEnd().split("\n").at(-1)).to.equal("1 passed, 0 failed, 1 skipped, 1 expected deviations");
  });

  it("JSON: the deviation field and the summary count validate against the schema", async () => {
    const file = path.join(dir, "r.json");
    const reporter = new JsonReporter({ file, cwd: REPO });
    for (const e of sampleEvents(reportResults())) reporter.onEvent(e.type === "run-end" ? { ...e, summary: summarize(reportResults()), exitCode: 0 } : e);
    reporter.close();
    const report = JSON.parse(await readFile(file, "utf8"));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormatsModule.default(ajv);
    const validate = ajv.compile(JSON.parse(await readFile(SCHEMA, "utf8")));
    expect(validate(report), JSON.stringify(validate.errors, null, 2)).to.equal(true);
    expect(report.summary.deviations).to.equal(1);
    expect(report.tests.find((t: { id: string }) => t.id === FAILED.id).deviation.fixed).to.equal(false);
  });

  it("JUnit: skipped with 'expected deviation: …', the failure text in system-out, not counted as a failure", () => {
    const events = sampleEvents(reportResults());
    const xml = buildJunit(events[0] as never, events.at(-1) as never, reportResults(), [], REPO);
    expect(xml).to.include('<skipped message="expected deviation: RFC 5321 §4.1.1.3: refuses the recipient"/>');
    expect(xml).to.match(/<system-out>FAIL smtp\.transaction\.basic/);
    expect(xml).to.match(/<testsuites name="mailconform" tests="3" failures="0" errors="0" skipped="2"/);
    expect(xml).not.to.include("<failure");
  });

  it("Allure: skipped with the reason as message and a tag", async () => {
    const allureDir = path.join(dir, "allure");
    const reporter = new AllureReporter({ dir: allureDir, cwd: REPO });
    for (const e of sampleEvents(reportResults())) reporter.onEvent(e);
    const files = (await readdir(allureDir)).filter((f) => f.endsWith("-result.json"));
    const results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(allureDir, f), "utf8"))));
    const deviation = results.find((r) => r.fullName === FAILED.id);
    expect(deviation.status).to.equal("skipped");
    expect(deviation.statusDetails.message).to.equal("expected deviation: RFC 5321 §4.1.1.3: refuses the recipient");
    expect(deviation.labels).to.deep.include({ name: "tag", value: "expected-deviation" });
  });
});

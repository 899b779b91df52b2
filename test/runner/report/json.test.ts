import { expect } from "chai";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildJsonReport, JsonReporter } from "../../../runner/report/json.ts";
import type { RunEvent } from "../../../runner/model/events.ts";
import { FAILED, result, sampleEvents } from "./sample-run.ts";

const addFormats = addFormatsModule.default;
const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SCHEMA = fileURLToPath(new URL("../../../runner/schema/report.schema.json", import.meta.url));

async function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(await readFile(SCHEMA, "utf8")));
}

describe("report/json", function () {
  let dir = "";
  let report: any;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-json-"));
    const file = path.join(dir, "sub", "mailconform.json");
    const reporter = new JsonReporter({ file, cwd: REPO });
    for (const e of sampleEvents()) reporter.onEvent(e);
    reporter.close();
    report = JSON.parse(await readFile(file, "utf8"));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("validates against runner/schema/report.schema.json", async function () {
    const validate = await validator();
    const ok = validate(report);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).to.deep.equal([]);
    expect(ok).to.equal(true);
  });

  it("the schema rejects what it must: an unknown status, a failed test without failure, a password", async function () {
    const validate = await validator();
    const broken = structuredClone(report);
    broken.tests[0].status = "flaky";
    expect(validate(broken)).to.equal(false);
    const noFailure = structuredClone(report);
    delete noFailure.tests.find((t: any) => t.status === "failed").failure;
    expect(validate(noFailure)).to.equal(false);
    const withPassword = structuredClone(report);
    withPassword.tests[0].password = "alice-pw";
    expect(validate(withPassword)).to.equal(false);
  });

  it("writes a report of several megabytes, in chunks, exactly as JSON.stringify(report, null, 2) would", async function () {
    // Enough tests with transcripts that the entries span several write chunks.
    const transcript = Array.from({ length: 200 }, (_, i) => ({ connection: "main", dir: "S" as const, ms: i, text: `250 line ${i} ${"x".repeat(40)} é`, octets: 60 }));
    const results = Array.from({ length: 400 }, (_, i) => result({ id: `smtp.many.t${String(i).padStart(3, "0")}`, status: "passed", transcript }));
    const events = sampleEvents(results);
    const file = path.join(dir, "large.json");
    const reporter = new JsonReporter({ file, cwd: REPO });
    for (const e of events) reporter.onEvent(e);
    reporter.close();
    const written = await readFile(file, "utf8");
    expect(written.length).to.be.greaterThan(3 << 20);
    const begin = events[0] as Extract<RunEvent, { type: "run-begin" }>;
    const end = events[events.length - 1] as Extract<RunEvent, { type: "run-end" }>;
    expect(written).to.equal(JSON.stringify(buildJsonReport(begin, end, results, [], REPO), null, 2) + "\n");
  });

  it("lists tests by id, with summary, exit code and the target without passwords", function () {
    expect(report.tests.map((t: any) => t.id)).to.deep.equal(["imap.login.plain", "pop3.greeting", "smtp.starttls.upgrade", "smtp.transaction.basic"]);
    expect(report.summary).to.deep.equal({ total: 4, passed: 1, failed: 1, skipped: 1, errors: 1 });
    expect(report.exitCode).to.equal(1);
    expect(report.target.users).to.deep.equal(["alice", "bob"]);
    expect(JSON.stringify(report)).not.to.include("-pw");
  });

  it("carries the failure with step, phase, position, expected, actual, class, command and the transcript", function () {
    const t = report.tests.find((x: any) => x.id === "smtp.transaction.basic");
    expect(t.failure).to.deep.equal({
      class: "assertion",
      message: "expected 250, got 501 'Syntax error'",
      phase: "steps",
      step: 7,
      position: { file: "test/runner/report/fixtures/transaction.yaml", line: 15, col: 9 },
      expected: "250",
      actual: "501 5.1.3 Syntax error",
      command: "RCPT TO:<bob@example.test>",
    });
    expect(t.file).to.equal("test/runner/report/fixtures/transaction.yaml");
    expect(t.transcript).to.have.length(8);
    expect(t.transcript[6]).to.deep.equal({ connection: "main", dir: "C", ms: 12, text: "RCPT TO:<bob@example.test>" });
    expect(report.tests.find((x: any) => x.id === "smtp.starttls.upgrade").skipReason).to.equal("server does not advertise STARTTLS");
  });

  it("carries the quoted RFC sentences, and leaves the key out for a test that quotes none", function () {
    const t = report.tests.find((x: any) => x.id === "smtp.transaction.basic");
    expect(t.quote).to.deep.equal([FAILED.quote![0]]);
    expect(report.tests.find((x: any) => x.id === "pop3.greeting")).not.to.have.property("quote");
  });

  it("refuses to write a report for a run that never ended", function () {
    const reporter = new JsonReporter({ file: path.join(dir, "never.json"), cwd: REPO });
    reporter.onEvent(sampleEvents()[0]!);
    expect(() => reporter.close()).to.throw(/run-end/);
  });
});

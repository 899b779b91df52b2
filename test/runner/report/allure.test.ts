import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AllureReporter, rfcLink } from "../../../runner/report/allure.ts";
import { sampleEvents } from "./sample-run.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

describe("report/allure", function () {
  let dir = "";
  let results: any[] = [];

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-allure-"));
    const reporter = new AllureReporter({ dir, cwd: REPO });
    for (const e of sampleEvents()) reporter.onEvent(e);
    const files = (await readdir(dir)).filter((f) => f.endsWith("-result.json"));
    results = await Promise.all(files.map(async (f) => JSON.parse(await readFile(path.join(dir, f), "utf8"))));
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const byId = (id: string) => results.find((r) => r.fullName === id);

  it("writes one result per test with passed / failed / broken / skipped", function () {
    expect(results).to.have.length(4);
    expect(byId("smtp.transaction.basic").status).to.equal("failed");
    expect(byId("imap.login.plain").status).to.equal("broken");
    expect(byId("smtp.starttls.upgrade").status).to.equal("skipped");
    expect(byId("smtp.starttls.upgrade").statusDetails.message).to.equal("server does not advertise STARTTLS");
    expect(byId("pop3.greeting").status).to.equal("passed");
  });

  it("labels suite by protocol, feature by file, severity by level, and tags", function () {
    const label = (r: any, name: string) => r.labels.filter((l: any) => l.name === name).map((l: any) => l.value);
    const failed = byId("smtp.transaction.basic");
    expect(label(failed, "suite")).to.deep.equal(["smtp"]);
    expect(label(failed, "feature")).to.deep.equal(["test/runner/report/fixtures/transaction.yaml"]);
    expect(label(failed, "severity")).to.deep.equal(["critical"]);
    expect(label(failed, "tag")).to.include("transaction");
    expect(label(byId("pop3.greeting"), "severity")).to.deep.equal(["normal"]);
    expect(label(byId("imap.login.plain"), "severity")).to.deep.equal(["minor"]);
    expect(failed.historyId).to.equal("smtp.transaction.basic");
  });

  it("links the RFC sections, and puts the Hurl text and expected/actual in the details", function () {
    const failed = byId("smtp.transaction.basic");
    expect(failed.links.map((l: any) => l.url)).to.deep.equal([
      "https://www.rfc-editor.org/rfc/rfc5321#section-3.3",
      "https://www.rfc-editor.org/rfc/rfc5321#section-4.1.1.3",
    ]);
    expect(failed.statusDetails.message).to.equal("expected 250, got 501 'Syntax error'");
    expect(failed.statusDetails.trace).to.include("--> test/runner/report/fixtures/transaction.yaml:15:9");
    expect(failed.statusDetails).to.include({ expected: "250", actual: "501 5.1.3 Syntax error" });
    expect(failed.steps.map((s: any) => [s.name, s.status])).to.deep.equal([
      ["steps 1: expect 220", "passed"],
      ["steps 2: send EHLO client.example", "passed"],
      ["steps 7: expect 250", "failed"],
    ]);
  });

  it("attaches the transcript as text", async function () {
    const failed = byId("smtp.transaction.basic");
    expect(failed.attachments).to.have.length(1);
    expect(failed.attachments[0]).to.include({ name: "transcript", type: "text/plain" });
    const text = await readFile(path.join(dir, failed.attachments[0].source), "utf8");
    expect(text).to.include(" C: RCPT TO:<bob@example.test>\n");
    expect(byId("pop3.greeting").attachments).to.deep.equal([]);
  });

  it("writes the environment and categories", async function () {
    const env = await readFile(path.join(dir, "environment.properties"), "utf8");
    expect(env).to.include("host=127.0.0.1").and.to.include("smtp=2025 (none)");
    const categories = JSON.parse(await readFile(path.join(dir, "categories.json"), "utf8"));
    expect(categories.map((c: any) => c.matchedStatuses)).to.deep.equal([["failed"], ["broken"]]);
  });

  it("maps refs to RFC links, appendices included, and ignores other refs", function () {
    expect(rfcLink("RFC 1939")?.url).to.equal("https://www.rfc-editor.org/rfc/rfc1939");
    expect(rfcLink("RFC 3501 §6.3.1")?.url).to.equal("https://www.rfc-editor.org/rfc/rfc3501#section-6.3.1");
    expect(rfcLink("RFC 5321 §D.1")?.url).to.equal("https://www.rfc-editor.org/rfc/rfc5321#appendix-D.1");
    expect(rfcLink("errata 1234")).to.equal(undefined);
  });
});

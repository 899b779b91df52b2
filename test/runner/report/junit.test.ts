import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { RunEvent } from "../../../runner/model/events.ts";
import { buildJunit, classname, JunitReporter } from "../../../runner/report/junit.ts";
import { escapeXmlAttr, escapeXmlText } from "../../../runner/report/format/xml.ts";
import { FAILED, result, sampleEvents } from "./sample-run.ts";
import { findAll, parseXml } from "./xml-check.ts";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

describe("report/junit", function () {
  let dir = "";
  let xml = "";

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-junit-"));
    const file = path.join(dir, "nested", "junit.xml");
    const reporter = new JunitReporter({ file, cwd: REPO });
    for (const e of sampleEvents()) reporter.onEvent(e);
    reporter.onEvent({ type: "run-error", message: "engine bug <&>", stack: "Error: engine bug\n    at x" });
    reporter.close();
    xml = await readFile(file, "utf8");
  });

  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("is well-formed XML 1.0 with no ANSI escapes, even though the server sent NUL and ESC", function () {
    expect(() => parseXml(xml)).not.to.throw();
    expect(xml).not.to.match(/\u001b/);
    expect(xml).to.include("Syntax error\\x00 \\x1b[31m&lt;&amp;&gt;\"");
  });

  it("has one testcase per test, named by its unique id, ordered by id within its file", function () {
    const cases = findAll(parseXml(xml), "testcase").filter((c) => c.attrs.classname !== "mailconform");
    expect(cases.map((c) => c.attrs.name)).to.deep.equal(["pop3.greeting", "imap.login.plain", "smtp.starttls.upgrade", "smtp.transaction.basic"].sort());
    const smtp = cases.find((c) => c.attrs.name === "smtp.transaction.basic")!;
    // protocol.suite-file-stem: CI viewers split classname at dots; the path is in `file`.
    expect(smtp.attrs.classname).to.equal("smtp.transaction");
    expect(smtp.attrs.file).to.equal("test/runner/report/fixtures/transaction.yaml");
    expect(smtp.attrs.time).to.equal("0.014");
  });

  it("uses `failure` for a conformance failure and `error` for infrastructure, with the text in the body", function () {
    const root = parseXml(xml);
    const byName = (n: string) => findAll(root, "testcase").find((c) => c.attrs.name === n)!;
    const failed = byName("smtp.transaction.basic");
    expect(failed.children.map((c) => c.name)).to.deep.equal(["properties", "failure"]);
    const failure = failed.children[1]!;
    expect(failure.attrs).to.deep.equal({ message: "expected 250, got 501 'Syntax error'", type: "assertion" });
    expect(failure.text).to.include("--> test/runner/report/fixtures/transaction.yaml:15:9");
    expect(failure.text).to.include("  expected: 250\n  actual:   501 5.1.3 Syntax error");
    expect(failure.text).to.include("12 ms  C: RCPT TO:<bob@example.test>");

    const errored = byName("imap.login.plain");
    expect(errored.children.map((c) => c.name)).to.deep.equal(["properties", "error"]);
    expect(errored.children[1]!.attrs.type).to.equal("connection");

    const skipped = byName("smtp.starttls.upgrade");
    expect(findAll(skipped, "skipped")[0]!.attrs.message).to.equal("server does not advertise STARTTLS");
    expect(findAll(byName("pop3.greeting"), "failure")).to.have.length(0);
  });

  it("counts per suite and in total, a run-error included as an error", function () {
    const root = parseXml(xml);
    expect(root.attrs).to.include({ tests: "5", failures: "1", errors: "2", skipped: "1" });
    const suite = findAll(root, "testsuite").find((s) => s.attrs.name === "test/runner/report/fixtures/transaction.yaml")!;
    expect(suite.attrs).to.include({ tests: "4", failures: "1", errors: "1", skipped: "1" });
    const runError = findAll(root, "testcase").find((c) => c.attrs.classname === "mailconform")!;
    expect(runError.children[0]!.attrs.message).to.equal("engine bug <&>");
  });

  it("carries level, refs and tags as properties", function () {
    const failed = findAll(parseXml(xml), "testcase").find((c) => c.attrs.name === "smtp.transaction.basic")!;
    const props = findAll(failed, "property").map((p) => `${p.attrs.name}=${p.attrs.value}`);
    expect(props).to.include.members(["level=MUST", "ref=RFC 5321 §3.3", "tag=transaction", `quote=${FAILED.quote![0]}`]);
    // And in the failure body CI viewers show, next to the refs and level.
    expect(findAll(failed, "failure")[0]!.text).to.include(`  quote:    "${FAILED.quote![0]}"`);
  });

  it("escapes every character XML 1.0 cannot hold, lone surrogates included", function () {
    const nasty = "a\u0000b\u0007c\u000Bd\uFFFEe\uD800f\uDC00g\u{1F600}h&<>\"'";
    expect(() => parseXml(`<x a="${escapeXmlAttr(nasty)}">${escapeXmlText(nasty)}</x>`)).not.to.throw();
    expect(escapeXmlText(nasty)).to.equal("a\\x00b\\x07c\\x0bd\\ufffee\\ud800f\\udc00g\u{1F600}h&amp;&lt;&gt;\"'");
    expect(parseXml(`<x a="${escapeXmlAttr("l1\nl2\t\"q\"")}"/>`).attrs.a).to.equal("l1\nl2\t\"q\"");
  });

  it("names the classname protocol.suite-file-stem for a suite outside the working directory too", function () {
    expect(classname(result({ id: "x", status: "passed", file: "/tmp/mc-abc/g.yaml" }))).to.equal("smtp.g");
    expect(classname(result({ id: "x", status: "passed", protocol: "imap", file: "/srv/suites/imap/fetch-body.yml" }))).to.equal("imap.fetch-body");
  });

  it("keeps a multi-line actual value's indentation in the failure body", function () {
    const multi = { ...FAILED, failure: { ...FAILED.failure!, actual: "* FLAGS (\\Seen)\n  folded line\n* 3 EXISTS" } };
    const events = sampleEvents([multi]);
    const begin = events[0] as Extract<RunEvent, { type: "run-begin" }>;
    const end = events.at(-1) as Extract<RunEvent, { type: "run-end" }>;
    const body = findAll(parseXml(buildJunit(begin, end, [multi], [], REPO)), "failure")[0]!.text;
    expect(body).to.include("  actual:   * FLAGS (\\Seen)\n              folded line\n            * 3 EXISTS\n");
  });

  it("the checker itself rejects malformed XML", function () {
    expect(() => parseXml("<a><b></a></b>")).to.throw();
    expect(() => parseXml("<a>x & y</a>")).to.throw();
    expect(() => parseXml("<a>\u0000</a>")).to.throw();
  });
});

import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { ConsoleReporter } from "../../../runner/report/console.ts";
import { ERRORED, FAILED, PASSED, sampleEvents } from "./sample-run.ts";

const GOLDEN = fileURLToPath(new URL("./golden/console-run.out", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

function render(colors?: ReturnType<typeof pc.createColors>): string {
  let out = "";
  const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO, colors });
  for (const e of sampleEvents()) reporter.onEvent(e);
  return out;
}

describe("report/console", function () {
  it("matches the golden output for a run with a failure, a skip and an error (no colour)", function () {
    const out = render();
    // UPDATE_GOLDEN=1 rewrites the file after a deliberate wording change; review the diff.
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, out);
    expect(out).to.equal(readFileSync(GOLDEN, "utf8"));
  });

  it("points at file:line:col with the YAML line and a caret under the failing expectation", function () {
    const lines = render().split("\n");
    const arrow = lines.findIndex((l) => l.includes("--> test/runner/report/fixtures/transaction.yaml:15:9"));
    expect(arrow).to.be.greaterThan(-1);
    expect(lines[arrow + 2]).to.equal("  15 |       - expect: 250");
    expect(lines[arrow + 3]).to.equal("     |         ^^^^^^^^^^^ expected 250, got 501 'Syntax error'");
  });

  it("ends with `N passed, N failed, N skipped` followed by the error count, so the line accounts for every test", function () {
    const lines = render().trimEnd().split("\n");
    expect(lines.at(-1)).to.equal("1 passed, 1 failed, 1 skipped, 1 error");
    // CI machinery matches the fixed head of the line.
    expect(lines.at(-1)).to.match(/^\d+ passed, \d+ failed(, \d+ skipped)?(, |$)/);
    expect(lines.at(-2)).to.equal("1 error");
  });

  it("closes a run whose only test errored with `0 passed, 0 failed, 0 skipped, 1 error`", function () {
    let out = "";
    const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO });
    for (const e of sampleEvents([ERRORED])) reporter.onEvent(e);
    expect(out.trimEnd().split("\n").at(-1)).to.equal("0 passed, 0 failed, 0 skipped, 1 error");
  });

  it("indents the continuation lines of a multi-line actual value under its first line, keeping their own indentation", function () {
    let out = "";
    const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO });
    const multi = { ...FAILED, failure: { ...FAILED.failure!, expected: "a FLAGS response", actual: "* FLAGS (\\Seen)\n  folded line\n* 3 EXISTS" } };
    for (const e of sampleEvents([multi])) reporter.onEvent(e);
    expect(out).to.include("  expected: a FLAGS response\n  actual:   * FLAGS (\\Seen)\n              folded line\n            * 3 EXISTS\n");
  });

  it("lists failures by id, not in finishing order", function () {
    const out = render();
    expect(out.indexOf("ERROR imap.login.plain")).to.be.lessThan(out.indexOf("FAIL smtp.transaction.basic"));
  });

  it("writes no ANSI codes without colours, and some with them, keeping the last line plain", function () {
    expect(render()).not.to.match(/\u001b\[/);
    const coloured = render(pc.createColors(true));
    expect(coloured).to.match(/\u001b\[31m/);
    expect(coloured.trimEnd().split("\n").at(-1)).to.equal("1 passed, 1 failed, 1 skipped, 1 error");
  });

  it("says once that several tests could not start for the same reason", function () {
    let out = "";
    const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO });
    const second = { ...ERRORED, id: "imap.select.inbox" };
    for (const e of sampleEvents([ERRORED, PASSED, second])) reporter.onEvent(e);
    expect(out).to.include(
      "ERROR 2 tests could not start: imap server at 127.0.0.1:1 unreachable: connect ECONNREFUSED 127.0.0.1:1\n" +
        "  expected: a imap server at 127.0.0.1:1\n" +
        "  actual:   connect ECONNREFUSED 127.0.0.1:1\n" +
        "  tests:    imap.login.plain, imap.select.inbox\n",
    );
    expect(out).not.to.include("-->");
    expect(out.trimEnd().split("\n").slice(-2)).to.deep.equal(["2 errors", "1 passed, 0 failed, 0 skipped, 2 errors"]);
  });

  it("prints a run-error with its stack as it happens", function () {
    let out = "";
    const reporter = new ConsoleReporter({ out: { write: (t: string) => (out += t) }, cwd: REPO });
    reporter.onEvent({ type: "run-error", message: "reporter \"json\" failed: disk full", stack: "Error: disk full\n    at here" });
    expect(out).to.equal('run error: reporter "json" failed: disk full\nError: disk full\n    at here\n');
  });
});

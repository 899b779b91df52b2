// interop/results-table.ts: the RESULTS.md table from JSON reports — counts
// per server × protocol, deviations with their §, skip reasons, reporting-mode
// failures, a missing report, and the command line run-all.sh uses.
// Standards: none (a report renderer).

import { describe, it } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseServerArg, renderResults, type LaneServer, type Report, type ReportTest } from "../../interop/results-table.ts";

const SCRIPT = fileURLToPath(new URL("../../interop/results-table.ts", import.meta.url));

const test = (id: string, protocol: ReportTest["protocol"], status: ReportTest["status"], extra: Partial<ReportTest> = {}): ReportTest =>
  ({ id, protocol, status, ...extra });

const report = (name: string, tests: ReportTest[]): Report => ({ exitCode: 1, target: { name, domain: `${name}.interop.example` }, tests });

describe("interop results table", function () {
  const cyrus: LaneServer = {
    name: "cyrus",
    mode: "reporting",
    reportFile: "cyrus.json",
    software: { smtp: "Postfix 3.7 → LMTP → Cyrus 3.6", imap: "Cyrus 3.6" },
    report: report("cyrus", [
      test("smtp.a", "smtp", "passed"),
      test("smtp.b", "smtp", "skipped", { skipReason: "server does not advertise AUTH" }),
      test("smtp.c", "smtp", "skipped", { skipReason: "server does not advertise AUTH" }),
      test("smtp.d", "smtp", "failed", { failure: { message: "expected 503, got 250 '2.1.0 Ok'\nmore" }, deviation: { ref: "RFC 5321 §4.1.1.1", reason: "helo not required", fixed: false } }),
      test("imap.a", "imap", "failed", { failure: { message: "expected OK, got BAD Unexpected extra arguments to LOGIN" } }),
      test("imap.b", "imap", "error", { failure: { message: "connection closed" } }),
      test("imap.c", "imap", "passed", { deviation: { ref: "RFC 3501 §9", reason: "was broken", fixed: true } }),
    ]),
  };

  it("counts passed / failed / deviations / skipped per server and protocol, with skip reasons", function () {
    const md = renderResults([cyrus], "2026-01-01");
    expect(md).to.include("| cyrus | smtp | Postfix 3.7 → LMTP → Cyrus 3.6 | reporting | 1 | 0 | 1 | 2 | 2× server does not advertise AUTH |");
    // an error counts as a failure; a fixed deviation that passes counts as passed
    expect(md).to.include("| cyrus | imap | Cyrus 3.6 | reporting | 1 | 2 | 0 | 0 | – |");
    expect(md).not.to.match(/\| cyrus \| pop3 \|/); // no pop3 tests, no row
  });

  it("lists each deviation with its §, fixed deviations, and the failures with their first line", function () {
    const md = renderResults([cyrus], "2026-01-01");
    expect(md).to.include("- `smtp.d` — RFC 5321 §4.1.1.1: helo not required");
    expect(md).to.include("Listed as deviations but passing (remove from the expectations file):\n\n- `imap.c`");
    expect(md).to.include("Failures (2, reporting mode: not gating):");
    expect(md).to.include("- `imap.a` — expected OK, got BAD Unexpected extra arguments to LOGIN");
    expect(md).not.to.include("more");
  });

  it("says so when a server wrote no report, and escapes table cells", function () {
    const md = renderResults([{ ...cyrus, name: "mailutils", report: null, reportFile: "a|b.json" }], "2026-01-01");
    expect(md).to.include("| mailutils | – | – | reporting | – | – | – | – | no report: a\\|b.json missing");
  });

  it("parses run-all.sh's server argument and refuses a malformed one", function () {
    expect(parseServerArg("opensmtpd|reporting|r/o.json|smtp=OpenSMTPD 6.8 → Maildir (a=b)")).to.deep.equal({
      name: "opensmtpd", mode: "reporting", reportFile: "r/o.json", software: { smtp: "OpenSMTPD 6.8 → Maildir (a=b)" },
    });
    expect(() => parseServerArg("x|sometimes|r.json")).to.throw(/gating-or-reporting/);
    expect(() => parseServerArg("x|gating|r.json|ftp=y")).to.throw(/unknown protocol 'ftp'/);
    expect(parseServerArg("cyrus|gating|c.json|lmtp=Cyrus 3.6 lmtpd").software).to.deep.equal({ lmtp: "Cyrus 3.6 lmtpd" });
  });

  it("gives LMTP tests a row of their own, between SMTP and POP3", function () {
    const withLmtp = { ...cyrus, software: { ...cyrus.software, lmtp: "Cyrus 3.6 lmtpd" }, report: { ...cyrus.report!, tests: [...cyrus.report!.tests, test("lmtp.greeting", "lmtp", "passed")] } };
    const md = renderResults([withLmtp], "2026-01-01");
    expect(md).to.include("| cyrus | lmtp | Cyrus 3.6 lmtpd | reporting | 1 | 0 | 0 | 0 | – |");
    expect(md.indexOf("| cyrus | lmtp |")).to.be.greaterThan(md.indexOf("| cyrus | smtp |"));
    expect(md.indexOf("| cyrus | lmtp |")).to.be.lessThan(md.indexOf("| cyrus | imap |"));
  });

  it("writes the file from the command line, reading the reports from disk", async function () {
    this.timeout(20_000);
    const dir = await mkdtemp(path.join(tmpdir(), "mc-results-"));
    try {
      await writeFile(path.join(dir, "cyrus.json"), JSON.stringify(cyrus.report));
      const out = path.join(dir, "RESULTS.md");
      await new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ["--import=tsx", SCRIPT, "--out", out, "--server", `cyrus|reporting|${path.join(dir, "cyrus.json")}|imap=Cyrus 3.6`],
          { timeout: 15_000 }, (error, _stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve()));
      });
      expect(await readFile(out, "utf8")).to.include("| cyrus | imap | Cyrus 3.6 | reporting | 1 | 2 | 0 | 0 | – |");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

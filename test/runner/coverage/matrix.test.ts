// The coverage matrix builder: rows per RFC section and per command, the
// positive/negative split, command words (IMAP tags, UID verbs, untagged
// lines), auth/starttls steps, repeats, and section ordering.

import { expect } from "chai";
import type { SuiteFile, TestCase } from "../../../runner/model/ast.ts";
import { buildCoverage, commandOf, commandsOf } from "../../../runner/coverage/matrix.ts";
import { renderCoverageMarkdown } from "../../../runner/coverage/render.ts";
import { auth, connection, imap, on, pop3, repeat, send, smtp, starttls, testCase } from "../../support/ast.ts";

function suite(tests: TestCase[]): SuiteFile {
  return { file: "s.yaml", protocol: tests[0]!.protocol, title: "s", tests };
}

describe("coverage matrix", () => {
  const ok = testCase("smtp", [smtp("220"), send("EHLO x"), smtp("250"), send("MAIL FROM:<a@b>"), smtp("250")], {
    id: "t.ok",
    refs: ["RFC 5321 §4.1.1.2", "RFC 5321 §4.1.1.1"],
  });
  const refused = testCase("smtp", [smtp("220"), send("ehlo x"), smtp("250"), send("RCPT TO:<a@b>"), smtp("503")], {
    id: "t.refused",
    refs: ["RFC 5321 §4.1.1.3", "RFC 5321 §4.1.1.1"],
    level: "SHOULD",
    quote: ["The first or only argument to this command includes a forward-path (normally a mailbox and domain, always surrounded by \"<\" and \">\" brackets) identifying one recipient.", "a | b"],
  });

  it("counts tests per section and splits positive from negative", () => {
    const c = buildCoverage([suite([ok, refused])]);
    expect(c.testCount).to.equal(2);
    const ehlo = c.sections.find((r) => r.key === "RFC 5321 §4.1.1.1")!;
    expect(ehlo).to.deep.equal({ key: "RFC 5321 §4.1.1.1", tests: ["t.ok", "t.refused"], positive: 1, negative: 1 });
    expect(c.sections.map((r) => r.key)).to.deep.equal(["RFC 5321 §4.1.1.1", "RFC 5321 §4.1.1.2", "RFC 5321 §4.1.1.3"]);
  });

  it("attributes a failure reply to the command it answers, not to every command of the test", () => {
    const c = buildCoverage([suite([ok, refused])]);
    const row = (k: string) => c.commands.find((r) => r.key === k)!;
    expect(row("smtp EHLO")).to.include({ positive: 2, negative: 0 });
    expect(row("smtp RCPT")).to.include({ positive: 0, negative: 1 });
    expect(row("smtp MAIL").tests).to.deep.equal(["t.ok"]);
  });

  it("orders sections by RFC number, then numerically, appendices after numbered sections", () => {
    const t = testCase("smtp", [send("NOOP")], { id: "t", refs: ["RFC 5321 §10.1", "RFC 5321 Appendix F", "RFC 1939 §7", "RFC 5321 §4.2", "RFC 5321 §Appendix C", "RFC 5321 § 4.10"] });
    const keys = buildCoverage([suite([t])]).sections.map((r) => r.key);
    expect(keys).to.deep.equal(["RFC 1939 §7", "RFC 5321 §4.2", "RFC 5321 §4.10", "RFC 5321 §10.1", "RFC 5321 §Appendix C", "RFC 5321 Appendix F"]);
  });

  it("takes the IMAP verb after the tag the runner adds, joins UID verbs, and reads untagged lines", () => {
    expect(commandOf("imap", "select INBOX")).to.equal("SELECT");
    expect(commandOf("imap", "UID FETCH 1:* FLAGS")).to.equal("UID FETCH");
    expect(commandOf("imap", "DONE", true)).to.equal("DONE");
    expect(commandOf("imap", "a1 NOOP", true)).to.equal("NOOP");
    expect(commandOf("imap", "AGFsaWNlAHB3", true)).to.equal(undefined);
    expect(commandOf("smtp", "")).to.equal(undefined);
    expect(commandOf("smtp", "${cmd} x")).to.equal(undefined);
  });

  it("counts commands on other connections with their protocol, auth and starttls steps, and repeats", () => {
    const t = testCase(
      "smtp",
      [starttls(), auth("PLAIN", "failure"), repeat(2, "i", [send("NOOP"), smtp("250")]), on("box", send("RETR 1")), on("box", pop3("-ERR"))],
      { id: "t.multi", refs: ["RFC 4954 §4"], connections: [connection("box", "pop3")] },
    );
    const cmds = commandsOf(t).map((c) => `${c.protocol} ${c.command} ${c.negative ? "-" : "+"}`);
    expect(cmds).to.deep.equal(["smtp STARTTLS +", "smtp AUTH -", "smtp NOOP +", "pop3 RETR -"]);
    const i = testCase("imap", [send("LOGIN a b"), imap("NO")], { id: "t.imap", refs: ["RFC 3501 §6.2.3"] });
    expect(buildCoverage([suite([i])]).commands[0]).to.include({ key: "imap LOGIN", negative: 1, positive: 0 });
  });

  it("renders both tables as Markdown with counts and ids", () => {
    const md = renderCoverageMarkdown(buildCoverage([suite([ok, refused])]), "T");
    expect(md).to.match(/^# T\n/);
    expect(md).to.include("| RFC 5321 §4.1.1.1 | 2 | 1 | 1 | `t.ok`, `t.refused` |");
    expect(md).to.include("| smtp | RCPT | 1 | 0 | 1 | `t.refused` |");
  });

  it("lists each test's level and quote, marking a test that quotes nothing", () => {
    const c = buildCoverage([suite([refused, ok])]);
    expect(c.requirements.map((r) => r.id)).to.deep.equal(["t.ok", "t.refused"]);
    expect(c.unquoted).to.equal(1);
    const md = renderCoverageMarkdown(c, "T");
    expect(md).to.include("1 of 2 tests quote the sentence their level comes from");
    expect(md).to.include("| `t.ok` | MUST | RFC 5321 §4.1.1.2, RFC 5321 §4.1.1.1 | (no quote) |");
    expect(md).to.include('| `t.refused` | SHOULD | RFC 5321 §4.1.1.3, RFC 5321 §4.1.1.1 | "The first or only argument to this command includes a forward-path (normally a mailbox and domain, always surrounded by "&lt;" and ">" brackets) identifying one recipient."<br>"a \\| b" |');
  });
});

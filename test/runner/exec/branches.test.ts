// The either/or steps against scripted servers on real sockets: a one-of step
// reads one reply and runs the steps of the first alternative it matches (SMTP
// codes, POP3 +OK/-ERR with a body, IMAP tagged OK/NO), fails a reply that
// matches none with every alternative listed, fails when a taken branch's step
// fails; an if step runs `then` or `else` by two captured values. The
// transcript says which branch ran.

import { expect } from "chai";
import type { ReplyBranch, Step } from "../../../runner/model/ast.ts";
import type { TestResult } from "../../../runner/model/result.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { compileTemplate } from "../../../runner/suite/template.ts";
import * as A from "../../support/ast.ts";
import { line, reply, send, startScriptedServer, tagOf, type ScriptedServer } from "../../support/scripted-server.ts";

/** The expectation of a step built by A.smtp / A.pop3 / A.imap. */
const expectationOf = (step: Step): ReplyBranch["expect"] => (step as Extract<Step, { kind: "expect" }>).expect;
const branch = (expectStep: Step, then: Step[] = []): ReplyBranch => ({ expect: expectationOf(expectStep), then, span: A.span() });
const oneOf = (...branches: ReplyBranch[]): Step => ({ kind: "one-of", branches, on: "main", span: A.span() });
const ifSame = (a: string, b: string, then: Step[], otherwise: Step[] = []): Step => ({
  kind: "if",
  same: [compileTemplate(a), compileTemplate(b)],
  then,
  else: otherwise,
  on: "main",
  span: A.span(),
});
const notes = (result: TestResult): string[] => result.transcript.filter((l) => l.dir === "*").map((l) => l.text);
const sent = (result: TestResult): string[] => result.transcript.filter((l) => l.dir === "C").map((l) => l.text);

/** EHLO in a transaction: accepted → RCPT must get 503; refused → RCPT must be accepted. */
const ehloAgain = (): Step[] => [
  A.smtp("220"),
  A.send("EHLO c.example"),
  oneOf(branch(A.smtp("250"), [A.send("RCPT TO:<a@b.example>"), A.smtp("503")]), branch(A.smtp(["500", "501", "502", "550"]), [A.send("RCPT TO:<c@d.example>"), A.smtp(["250", "251"])])),
  A.send("QUIT"),
  A.smtp("221"),
];

describe("exec: one-of and if", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("runs the steps of the first alternative the reply matches, and notes which", async () => {
    server = await startScriptedServer([send("220 hi\r\n"), reply("250 hello\r\n"), reply("503 no MAIL\r\n"), reply("221 bye\r\n")]);
    const { result } = await A.run(A.testCase("smtp", ehloAgain()), A.target("smtp", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(sent(result)).to.include("RCPT TO:<a@b.example>").and.not.include("RCPT TO:<c@d.example>");
    expect(notes(result)).to.include("one-of: the reply matched alternative 1 of 2 (250); its steps 4–5 run");
  });

  it("takes a later alternative, its steps numbered where they are written", async () => {
    server = await startScriptedServer([send("220 hi\r\n"), reply("502 not again\r\n"), reply("250 ok\r\n"), reply("221 bye\r\n")]);
    const { result } = await A.run(A.testCase("smtp", ehloAgain()), A.target("smtp", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(sent(result)).to.include("RCPT TO:<c@d.example>").and.not.include("RCPT TO:<a@b.example>");
    expect(notes(result)).to.include("one-of: the reply matched alternative 2 of 2 (500 or 501 or 502 or 550); its steps 6–7 run");
  });

  it("fails a reply that matches no alternative, listing them all", async () => {
    server = await startScriptedServer([send("220 hi\r\n"), reply("421 going away\r\n")]);
    const { result } = await A.run(A.testCase("smtp", ehloAgain()), A.target("smtp", server.port));
    expect(result.status).to.equal("failed");
    expect(result.failure?.step).to.equal(3);
    expect(result.failure?.message).to.equal(
      "the reply matches none of the 2 accepted alternatives (1. 250: expected 250, got 421 'going away'; 2. 500 or 501 or 502 or 550: expected 500 or 501 or 502 or 550, got 421 'going away')",
    );
    expect(result.failure?.expected).to.equal("one of: 250 | 500 or 501 or 502 or 550");
    expect(result.failure?.actual).to.match(/^421 going away/);
  });

  it("fails the test when a step of the taken branch fails, at that step", async () => {
    server = await startScriptedServer([send("220 hi\r\n"), reply("502 not again\r\n"), reply("503 no MAIL\r\n")]);
    const { result } = await A.run(A.testCase("smtp", ehloAgain()), A.target("smtp", server.port));
    expect(result.status).to.equal("failed");
    expect(result.failure?.step).to.equal(7);
    expect(result.failure?.message).to.match(/expected 250 or 251, got 503/);
  });

  it("the shipped EHLO tests pass a server that refuses the later EHLO and keeps the transaction", async () => {
    const { suites, errors } = await loadSuites(["suites/smtp/greeting-ehlo.yaml"]);
    expect(errors).to.deep.equal([]);
    const test = suites[0]!.tests.find((t) => t.id === "smtp.ehlo.resets-transaction")!;
    const greeted = [send("220 hi\r\n"), reply("250 hello\r\n"), reply("250 sender ok\r\n"), reply("502 EHLO once per session\r\n")];
    server = await startScriptedServer([...greeted, reply("250 recipient ok\r\n"), reply("221 bye\r\n")]);
    const kept = await A.run(test, A.target("smtp", server.port));
    expect(kept.result.status, JSON.stringify(kept.result.failure)).to.equal("passed");
    expect(notes(kept.result)).to.include("one-of: the reply matched alternative 2 of 2 (500 or 501 or 502 or 550); its steps 10–11 run");
    await server.close();
    // Refused, yet the transaction was dropped: the state was not kept (RFC 5321 §4.1.4).
    server = await startScriptedServer([...greeted, reply("503 need MAIL first\r\n")]);
    const lost = await A.run(test, A.target("smtp", server.port));
    expect(lost.result.status).to.equal("failed");
    expect(lost.result.failure?.step).to.equal(11);
  });

  it("POP3: reads the body only for a multiline +OK, and binds the taken alternative's captures", async () => {
    const steps = (): Step[] => [
      A.pop3("+OK"),
      A.send("UIDL 1"),
      oneOf(branch(A.pop3("+OK", { multiline: true, captures: [A.capture("uid", "^1 (\\S+)$")] }), [A.send("NOOP ${uid}"), A.pop3("+OK")]), branch(A.pop3("-ERR"))),
      A.send("QUIT"),
      A.pop3("+OK"),
    ];
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK\r\n1 abc\r\n.\r\n"), line((l) => (l === "NOOP abc" ? "+OK\r\n" : "-ERR wrong\r\n")), reply("+OK bye\r\n")]);
    const taken = await A.run(A.testCase("pop3", steps()), A.target("pop3", server.port));
    expect(taken.result.status, JSON.stringify(taken.result.failure)).to.equal("passed");
    await server.close();
    server = await startScriptedServer([send("+OK pop\r\n"), reply("-ERR no such message\r\n"), reply("+OK bye\r\n")]);
    const refused = await A.run(A.testCase("pop3", steps()), A.target("pop3", server.port));
    expect(refused.result.status, JSON.stringify(refused.result.failure)).to.equal("passed");
    expect(notes(refused.result)).to.include("one-of: the reply matched alternative 2 of 2 (-ERR); no steps follow it");
  });

  it("IMAP: tells alternatives apart by their untagged rules and keeps only the taken one's $captures", async () => {
    const steps: Step[] = [
      A.imap("OK"),
      A.send("GETQUOTAROOT INBOX"),
      oneOf(
        branch(A.imap("OK", { ordered: true, untagged: [A.must("* QUOTAROOT INBOX $root ..."), A.must("* QUOTA $root $_")] }), [A.send("GETQUOTA ${root}"), A.imap("OK")]),
        branch(A.imap("OK", { untagged: [A.must("* QUOTAROOT INBOX")] })),
      ),
    ];
    const tagged = (text: string) => line((l) => `${text}${tagOf(l)} OK done\r\n`);
    server = await startScriptedServer([send("* OK imap\r\n"), tagged("* QUOTAROOT INBOX user.alice\r\n* QUOTA user.alice (STORAGE 1 10)\r\n"), line((l) => (l.endsWith("GETQUOTA user.alice") ? `${tagOf(l)} OK\r\n` : `${tagOf(l)} BAD root\r\n`))]);
    const listed = await A.run(A.testCase("imap", steps), A.target("imap", server.port));
    expect(listed.result.status, JSON.stringify(listed.result.failure)).to.equal("passed");
    await server.close();
    server = await startScriptedServer([send("* OK imap\r\n"), tagged("* QUOTAROOT INBOX\r\n")]);
    const none = await A.run(A.testCase("imap", steps), A.target("imap", server.port));
    expect(none.result.status, JSON.stringify(none.result.failure)).to.equal("passed");
    expect(notes(none.result)).to.include("one-of: the reply matched alternative 2 of 2 (OK); no steps follow it");
    await server.close();
    // A root listed without its QUOTA response matches neither.
    server = await startScriptedServer([send("* OK imap\r\n"), tagged("* QUOTAROOT INBOX user.alice\r\n")]);
    const broken = await A.run(A.testCase("imap", steps), A.target("imap", server.port));
    expect(broken.result.status).to.equal("failed");
    expect(broken.result.failure?.message).to.match(/^the reply matches none of the 2 accepted alternatives \(1\. OK: .*; 2\. OK: .*\)$/);
  });

  it("if: runs then when the values are the same, else when they differ, and says why", async () => {
    const steps = (): Step[] => [
      A.smtp("220", { captures: [A.capture("a", "^(\\S+)")] }),
      A.send("NOOP"),
      A.smtp("250", { captures: [A.capture("b", "^(\\S+)")] }),
      ifSame("${a}", "${b}", [A.send("HELP same")], [A.send("HELP differ")]),
      A.smtp("214"),
    ];
    server = await startScriptedServer([send("220 x.example\r\n"), reply("250 x.example\r\n"), line((l) => (l === "HELP same" ? "214 ok\r\n" : "500 wrong branch\r\n"))]);
    const same = await A.run(A.testCase("smtp", steps()), A.target("smtp", server.port));
    expect(same.result.status, JSON.stringify(same.result.failure)).to.equal("passed");
    expect(notes(same.result)).to.include(`if: \${a} = "x.example" and \${b} = "x.example" are the same; 'then' runs (step 5)`);
    await server.close();
    server = await startScriptedServer([send("220 x.example\r\n"), reply("250 y.example\r\n"), line((l) => (l === "HELP differ" ? "214 ok\r\n" : "500 wrong branch\r\n"))]);
    const differ = await A.run(A.testCase("smtp", steps()), A.target("smtp", server.port));
    expect(differ.result.status, JSON.stringify(differ.result.failure)).to.equal("passed");
    expect(notes(differ.result)).to.include(`if: \${a} = "x.example" and \${b} = "y.example" are different; 'else' runs (step 6)`);
  });
});

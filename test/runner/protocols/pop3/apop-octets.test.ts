// The POP3 runner features a conformance suite needs beyond status lines:
// `auth: APOP` (digest from the greeting's timestamp, RFC 1939 §7), the APOP
// pseudo-capability from the probe, the `octets` body matcher (RFC 1939 §11),
// `not-matches` (no body line may match) and `equals-after-trace` (the
// message as sent, after the trace fields a delivery prepends).

import { expect } from "chai";
import { probeCapabilities } from "../../../../runner/exec/capabilities.ts";
import { apopDigest } from "../../../../runner/protocols/pop3/apop.ts";
import { traceLineCount, unfoldHeader } from "../../../../runner/protocols/pop3/matchers/body.ts";
import { compilePattern } from "../../../../runner/protocols/common/text.ts";
import * as A from "../../../support/ast.ts";
import { line, reply, send, startScriptedServer, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const TIMESTAMP = "<1896.697170952@dbc.mtview.ca.us>";
const GREETING = send(`+OK POP3 server ready ${TIMESTAMP}\r\n`);

describe("exec: POP3 APOP and body octets", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], steps: Parameters<typeof A.testCase>[1]) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("pop3", steps), A.target("pop3", server.port));
  }

  it("the digest is RFC 1939 §7's own example", () => {
    expect(apopDigest(TIMESTAMP, "tanstaaf")).to.equal("c4c9334bac560ecc979e58001b3e22fb");
  });

  it("APOP sends the login and the digest of the greeting read by an expect; the digest is redacted", async () => {
    const digest = apopDigest(TIMESTAMP, "alice-secret-pw");
    const { result } = await runWith([GREETING, line((l) => (l === `APOP alice ${digest}` ? "+OK maildrop ready\r\n" : "-ERR no\r\n"))], [
      A.pop3("+OK"),
      A.auth("APOP"),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result)).to.include("C: APOP alice ***");
    expect(A.wire(result).join("\n")).not.to.include(digest);
  });

  it("APOP on a connection the driver opened (greeting read implicitly); outcome failure wants -ERR", async () => {
    const { result } = await runWith([GREETING, reply("+OK in\r\n")], [A.auth("APOP", "failure")]);
    expect(result.failure?.message).to.match(/^APOP \(failure\): expected -ERR, got \+OK in/);
  });

  it("APOP without a timestamp in the greeting fails and says how to skip", async () => {
    const { result } = await runWith([send("+OK ready\r\n")], [A.auth("APOP")]);
    expect(result.failure?.message).to.match(/no APOP timestamp.*requires: \[APOP\]/);
  });

  it("the probe advertises APOP only when the greeting has a timestamp", async () => {
    // The probe then tries USER/PASS to read CAPA after login: refused here, so it ends at once.
    server = await startScriptedServer([GREETING, reply("+OK\r\nUSER\r\n.\r\n"), reply("-ERR no\r\n")]);
    const withStamp = await probeCapabilities(A.target("pop3", server.port), "pop3", 1000);
    expect(withStamp.ok && [...withStamp.advertised].sort()).to.deep.equal(["APOP", "USER"]);
    await server.close();
    server = await startScriptedServer([send("+OK ready\r\n"), reply("+OK\r\nUSER\r\n.\r\n"), reply("-ERR no\r\n")]);
    const without = await probeCapabilities(A.target("pop3", server.port), "pop3", 1000);
    expect(without.ok && [...without.advertised]).to.deep.equal(["USER"]);
  });

  it("octets counts the unstuffed body with CRLF line ends, from a captured size", async () => {
    // "a", ".b" (sent stuffed as "..b"), "" → 3 + 4 + 2 = 9 octets.
    const body = "+OK\r\na\r\n..b\r\n\r\n.\r\n";
    const { result } = await runWith([GREETING, reply("+OK 1 9\r\n"), reply(body), reply(body)], [
      A.send("LIST 1"),
      A.pop3("+OK", { captures: [A.capture("size", "^\\d+ (\\d+)$")] }),
      A.send("RETR 1"),
      A.pop3("+OK", { multiline: true, body: { octets: "${size}", matches: [] } }),
      A.send("RETR 1"),
      A.pop3("+OK", { multiline: true, body: { octets: "10", matches: [] } }),
    ]);
    expect(result.failure?.message).to.equal("body is 9 octets, expected 10");
    expect(result.failure?.step).to.equal(6);
  });

  it("not-matches fails on the first body line that matches", async () => {
    const { result } = await runWith([GREETING, reply("+OK 1 9\r\n"), reply("+OK\r\n1 a.b\r\n2 axb\r\n.\r\n"), reply("+OK\r\n1 a.b\r\n2 axb\r\n.\r\n")], [
      A.send("UIDL 1"),
      A.pop3("+OK", { captures: [A.capture("uid", "^1 (\\S+)$")] }),
      A.send("UIDL"),
      A.pop3("+OK", { multiline: true, body: { notMatches: ["^3 "], matches: [] } }),
      A.send("UIDL"),
      A.pop3("+OK", { multiline: true, body: { notMatches: ["^1 "], matches: [] } }),
    ]);
    expect(result.failure?.step).to.equal(6);
    expect(result.failure?.message).to.equal("body line 1 matches /^1 /, which no line may");
  });

  it("line regexes see each header field unfolded (RFC 5322 §2.2.3), and (?i) makes them case-insensitive", async () => {
    const folded = "+OK\r\nReceived: from a\r\n\tby b;\r\n Sun, 6 Dec 2026 10:00:00 +0000\r\nreturn-path: <x@y>\r\n\r\n body line\r\n.\r\n";
    const { result } = await runWith([GREETING, reply(folded), reply(folded)], [
      A.send("RETR 1"),
      // One logical line; the body's " body line" after the blank line is not joined to anything.
      A.pop3("+OK", { multiline: true, body: { matches: ["^Received: from a\tby b; Sun, 6 Dec", "(?i)^Return-Path: <", "^ body line$"] } }),
      A.send("RETR 1"),
      A.pop3("+OK", { multiline: true, body: { matches: ["^Return-Path: <"] } }),
    ]);
    expect(result.failure?.step, JSON.stringify(result.failure)).to.equal(4);
    expect(result.failure?.message).to.equal("no body line matches /^Return-Path: </");
  });

  it("unfoldHeader joins continuation lines only inside the header and numbers fields by their first line", () => {
    expect(unfoldHeader(["A: 1", " 2", "B: 3", "", " 4"])).to.deep.equal([
      { text: "A: 1 2", line: 1 }, { text: "B: 3", line: 3 }, { text: "", line: 4 }, { text: " 4", line: 5 },
    ]);
    expect(compilePattern("(?i)^with esmtp").test("WITH ESMTP id 1")).to.equal(true);
    expect(compilePattern("^with esmtp").test("WITH ESMTP id 1")).to.equal(false);
  });

  it("includes / excludes entries are templates, resolved before the first-word comparison", async () => {
    const { result } = await runWith([GREETING, reply("+OK 2 9\r\n"), reply("+OK\r\n1 120\r\n2 9\r\n.\r\n")], [
      A.send("STAT"),
      A.pop3("+OK", { captures: [A.capture("n", "^(\\d+) ")] }),
      A.send("LIST"),
      A.pop3("+OK", { multiline: true, body: { matches: [], lines: { includes: ["${n}"], excludes: ["3"] } } }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  describe("equals-after-trace", () => {
    const SENT = "From: <a@lab.test>\nSubject: caf\xe9\n\n..dot line\nend\n";
    /** RETR as a delivery leaves it: trace fields (one folded) in front of the message as sent, dot-stuffed. */
    const retr = (trace: string, message = "From: <a@lab.test>\r\nSubject: caf\xe9\r\n\r\n...dot line\r\nend\r\n") =>
      reply(`+OK\r\n${trace}${message}.\r\n`);
    const TRACE = "Return-Path: <a@lab.test>\r\nDelivered-To: a@lab.test\r\nReceived: from x\r\n\tby y; Thu, 1 Jan 2026 00:00:00 +0000\r\nX-Original-To: a@lab.test\r\n";

    it("counts leading trace fields with their folded lines, case-insensitively, and stops at the first other field", () => {
      const lines = (text: string) => text.split("\r\n").map((l) => Buffer.from(l, "latin1"));
      expect(traceLineCount(lines(`${TRACE}From: x`))).to.equal(5);
      expect(traceLineCount(lines("received: a\r\n b\r\nSubject: s\r\nReceived: late"))).to.equal(2);
      expect(traceLineCount(lines("Subject: s\r\nReceived: x"))).to.equal(0);
      expect(traceLineCount(lines("Envelope-to: a@lab.test\r\nDelivery-date: Sun, 06 Dec 2026 10:00:00 +0000\r\nFrom: x"))).to.equal(2);
      // A delivery agent's own fields between two trace fields (Cyrus lmtpd), not after the last one.
      expect(traceLineCount(lines("Received: a\r\nX-Cyrus-Session-Id: s\r\nX-Sieve: CMU\r\nReceived: b\r\n c\r\nX-Extra: 1\r\nFrom: x"))).to.equal(5);
    });

    it("fails at the first differing line, numbered as received (an 8-bit byte against its UTF-8 form, a missing line); passes a byte-exact rest", async () => {
      const fixture = (text: string) => ({ kind: "text" as const, text });
      const steps = (text: string) => [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { matches: [], equalsAfterTrace: fixture(text) } })];
      const utf8 = await runWith([GREETING, retr(TRACE)], steps(Buffer.from(SENT, "latin1").toString("utf8")));
      // Inline text is UTF-8 in YAML; 8-bit fixtures come from files. Here the latin1 byte differs from its UTF-8 form:
      expect(utf8.result.failure?.message).to.equal("body after 5 trace lines differs from the expected text at line 7 (5 lines compared, 5 expected)");
      await server?.close();
      const ascii = await runWith([GREETING, retr(TRACE, "From: <a@lab.test>\r\n\r\n.\r\n")], steps("From: <a@lab.test>\n\n\n"));
      expect(ascii.result.failure?.message).to.equal("body after 5 trace lines differs from the expected text at line 8 (2 lines compared, 3 expected)");
      await server?.close();
      const exact = await runWith([GREETING, retr(TRACE, "From: <a@lab.test>\r\n\r\n..x\r\n")], steps("From: <a@lab.test>\n\n.x\n"));
      expect(exact.result.status, JSON.stringify(exact.result.failure)).to.equal("passed");
    });

    it("a header the server added in front of the message is not a trace field: the comparison fails at it", async () => {
      const { result } = await runWith([GREETING, retr("Received: x\r\nX-Spam: no\r\n", "From: <a@lab.test>\r\n")], [
        A.send("RETR 1"),
        A.pop3("+OK", { multiline: true, body: { matches: [], equalsAfterTrace: { kind: "text", text: "From: <a@lab.test>\n" } } }),
      ]);
      expect(result.failure?.message).to.equal("body after 1 trace line differs from the expected text at line 2 (2 lines compared, 1 expected)");
      expect(result.failure?.actual).to.equal("X-Spam: no");
    });
  });
});

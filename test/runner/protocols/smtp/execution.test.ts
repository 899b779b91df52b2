// SMTP execution against scripted servers: reply reading (multiline, mixed
// codes, malformed), each matcher passing and failing, captures and
// interpolation, DATA dot-stuffing, AUTH exchanges with redaction, events.

import { expect } from "chai";
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "../../../support/ast.ts";
import { close, line, linesUntil, reply, send, startScriptedServer, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const GREETING = send("220 mx.lab.test ESMTP ready\r\n");
const EHLO_REPLY = reply("250-mx.lab.test hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH LOGIN PLAIN\r\n250 8BITMIME\r\n");

describe("exec: SMTP", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], steps: Parameters<typeof A.testCase>[1], extra = {}) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("smtp", steps, extra), A.target("smtp", server.port));
  }

  it("reads the greeting implicitly, a multiline EHLO reply as one reply, and passes", async () => {
    const { result, events } = await runWith([GREETING, EHLO_REPLY, reply("221 bye\r\n"), close()], [
      A.send("EHLO client.example"),
      A.smtp("250", { lines: { includes: ["PIPELINING", "size", "AUTH PLAIN"], excludes: ["STARTTLS"] } }),
      A.send("QUIT"),
      A.smtp("221"),
      A.closed(),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).slice(0, 3)).to.deep.equal(["S: 220 mx.lab.test ESMTP ready", "C: EHLO client.example", "S: 250-mx.lab.test hello"]);
    expect(events.filter((e) => e.type === "step-end")).to.have.length(5);
    expect(events.some((e) => e.type === "wire")).to.equal(true);
    expect(events.some((e) => e.type === "test-begin" || e.type === "test-end")).to.equal(false);
  });

  it("leaves the greeting to an explicit first expect", async () => {
    const { result } = await runWith([send("554 go away\r\n"), close()], [A.smtp("554"), A.closed()]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("fails an implicit greeting that is not 220, as an assertion", async () => {
    const { result } = await runWith([send("554 no service\r\n")], [A.send("EHLO x")]);
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.match(/greeting: expected 220, got 554/);
  });

  it("flags a multiline reply that mixes codes as a protocol violation", async () => {
    const { result } = await runWith([GREETING, reply("250-first\r\n251 second\r\n")], [A.send("EHLO x"), A.smtp("250")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/mixes codes 250 and 251/);
  });

  it("flags a malformed reply line as a protocol violation", async () => {
    const { result } = await runWith([GREETING, reply("25O oops\r\n")], [A.send("NOOP"), A.smtp("250")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.actual).to.equal("25O oops");
  });

  it("flags a bare-LF line ending as a protocol violation", async () => {
    const { result } = await runWith([GREETING, reply("250 ok\n")], [A.send("NOOP"), A.smtp("250")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/bare LF/);
  });

  describe("code matcher", () => {
    const cases: Array<[string, string[], string, boolean]> = [
      ["exact pass", ["250"], "250 ok", true],
      ["exact fail", ["250"], "251 ok", false],
      ["class pass", ["2xx"], "252 ok", true],
      ["class fail", ["2xx"], "452 busy", false],
      ["digit wildcard pass", ["25x"], "251 ok", true],
      ["list pass", ["550", "553"], "553 no", true],
      ["list fail", ["550", "553"], "250 yes", false],
    ];
    for (const [name, codes, wireReply, passes] of cases) {
      it(name, async () => {
        const { result } = await runWith([GREETING, reply(`${wireReply}\r\n`)], [A.send("RCPT TO:<x@y>"), A.smtp(codes)]);
        expect(result.status, JSON.stringify(result.failure)).to.equal(passes ? "passed" : "failed");
        if (!passes) {
          expect(result.failure?.class).to.equal("assertion");
          expect(result.failure?.expected).to.equal(codes.join(" or "));
          expect(result.failure?.actual).to.equal(wireReply);
          expect(result.failure?.message).to.match(new RegExp(`expected ${codes.join(" or ")}, got ${wireReply.slice(0, 3)}`));
          expect(result.failure?.command).to.equal("RCPT TO:<x@y>");
          expect(result.failure?.step).to.equal(2);
          expect(result.failure?.phase).to.equal("steps");
        }
      });
    }
  });

  describe("enhanced status code matcher", () => {
    const cases: Array<[string, string, string, boolean]> = [
      ["exact pass", "2.1.0", "250 2.1.0 Sender ok", true],
      ["wildcard pass", "5.x.x", "550 5.7.1 Relaying denied", true],
      ["mismatch fails", "2.1.5", "250 2.1.0 ok", false],
      ["missing fails", "2.0.0", "250 ok", false],
    ];
    for (const [name, pattern, wireReply, passes] of cases) {
      it(name, async () => {
        const { result } = await runWith([GREETING, reply(`${wireReply}\r\n`)], [A.send("MAIL FROM:<a@b>"), A.smtp(wireReply.slice(0, 3), { enhanced: pattern })]);
        expect(result.status, JSON.stringify(result.failure)).to.equal(passes ? "passed" : "failed");
      });
    }
  });

  it("line set: a missing include and a present exclude fail with both named", async () => {
    const { result } = await runWith([GREETING, EHLO_REPLY], [A.send("EHLO x"), A.smtp("250", { lines: { includes: ["STARTTLS"], excludes: ["8BITMIME"] } })]);
    expect(result.failure?.message).to.equal("line set: missing STARTTLS; unexpected 8BITMIME");
  });

  it("line set: the first line (the server's name) is not a keyword", async () => {
    const { result } = await runWith([GREETING, EHLO_REPLY], [A.send("EHLO x"), A.smtp("250", { lines: { includes: ["MX.LAB.TEST"], excludes: [] } })]);
    expect(result.status).to.equal("failed");
  });

  it("text regex passes and fails", async () => {
    const pass = await runWith([GREETING, reply("250-a\r\n250 queued as ABC123\r\n")], [A.send("NOOP"), A.smtp("250", { text: "queued as [A-Z0-9]+" })]);
    expect(pass.result.status).to.equal("passed");
    await server?.close();
    const fail = await runWith([GREETING, reply("250 ok\r\n")], [A.send("NOOP"), A.smtp("250", { text: "^queued" })]);
    expect(fail.result.failure?.message).to.match(/does not match/);
  });

  it("captures bind values used by later steps through ${...}", async () => {
    const { result } = await runWith(
      [GREETING, reply("250 2.0.0 queued as Q42\r\n"), line((l) => (l === "XCHECK Q42 alice@lab.test tok123" ? "250 good\r\n" : `500 got ${l}\r\n`))],
      [A.send("NOOP"), A.smtp("250", { captures: [A.capture("queue", "queued as (\\S+)")] }), A.send("XCHECK ${queue} ${user.address} ${run.token}"), A.smtp("250")],
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("a captured value inserted into a text regex matches literally", async () => {
    const { result } = await runWith([GREETING, reply("250 id a.b\r\n"), reply("250 seen axb\r\n")], [
      A.send("NOOP"),
      A.smtp("250", { captures: [A.capture("id", "id (\\S+)")] }),
      A.send("NOOP"),
      A.smtp("250", { text: "seen ${id}" }),
    ]);
    expect(result.failure?.message).to.match(/does not match \/seen a\\.b\//);
  });

  it("lines includes / excludes entries are templates, resolved before the keyword comparison", async () => {
    const steps = [
      A.send("NOOP"),
      A.smtp("250", { captures: [A.capture("mech", "use (\\S+)")] }),
      A.send("EHLO x"),
      A.smtp("250", { lines: { includes: ["AUTH ${mech}"], excludes: ["X${mech}"] } }),
    ];
    const pass = await runWith([GREETING, reply("250 use PLAIN\r\n"), EHLO_REPLY], steps);
    expect(pass.result.status, JSON.stringify(pass.result.failure)).to.equal("passed");
    await server?.close();
    const fail = await runWith([GREETING, reply("250 use CRAM-MD5\r\n"), EHLO_REPLY], steps);
    expect(fail.result.failure?.message).to.equal("line set: missing AUTH CRAM-MD5");
  });

  it("a capture regex holding ${...} inserts the value escaped, as literal text", async () => {
    const { result } = await runWith([GREETING, reply("250 id a.b\r\n"), reply("250 axb=1 a.b=2\r\n"), reply("250 axb=3\r\n")], [
      A.send("NOOP"),
      A.smtp("250", { captures: [A.capture("id", "id (\\S+)")] }),
      A.send("NOOP"),
      A.smtp("250", { captures: [A.capture("n", "${id}=(\\d)")] }),
      A.send("CHECK ${n}"),
      A.smtp("250", { captures: [A.capture("m", "${id}=(\\d)")] }),
    ]);
    expect(A.wire(result)).to.include("C: CHECK 2");
    expect(result.failure?.message).to.equal("capture m: /a\\.b=(\\d)/ matches nothing in the reply");
  });

  it("a capture that matches nothing fails the step", async () => {
    const { result } = await runWith([GREETING, reply("250 ok\r\n")], [A.send("NOOP"), A.smtp("250", { captures: [A.capture("id", "id=(\\d+)")] })]);
    expect(result.failure?.message).to.match(/capture id/);
  });

  it("DATA is dot-stuffed and terminated; the server receives the wire form", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mc-"));
    const fixture = join(dir, "dots.eml");
    writeFileSync(fixture, "Subject: dots\n\n.leading dot\n..two\nend");
    const { result } = await runWith([GREETING, reply("354 go\r\n"), linesUntil("."), send("250 ok\r\n")], [A.send("DATA"), A.smtp("354"), A.dataFile(fixture), A.smtp("250")]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.received[0]!.toString("latin1")).to.equal("DATA\r\nSubject: dots\r\n\r\n..leading dot\r\n...two\r\nend\r\n.\r\n");
  });

  it("raw DATA and raw steps send bytes exactly as written", async () => {
    const { result } = await runWith([GREETING, reply("354 go\r\n"), linesUntil("."), send("250 ok\r\n"), reply("250 ok\r\n")], [
      A.send("DATA"),
      A.smtp("354"),
      A.dataText("bare\nLF\r\n.\r\n", true),
      A.smtp("250"),
      A.raw("NOOP\x00\xff\r\n"),
      A.smtp("250"),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.received[0]!.toString("latin1")).to.equal("DATA\r\nbare\nLF\r\n.\r\nNOOP\x00\xff\r\n");
    expect(A.wire(result)).to.include("C: NOOP\\x00\\xff");
  });

  describe("AUTH", () => {
    it("PLAIN with initial response; the payload is redacted", async () => {
      const expected = Buffer.from("\0alice\0alice-secret-pw").toString("base64");
      const { result } = await runWith([GREETING, line((l) => (l === `AUTH PLAIN ${expected}` ? "235 2.7.0 ok\r\n" : "535 no\r\n"))], [A.auth("PLAIN", "success", true)]);
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(A.wire(result)).to.include("C: AUTH PLAIN ***");
      expect(JSON.stringify(result.transcript)).to.not.include(expected);
    });

    it("LOGIN answers two 334 challenges; both answers redacted", async () => {
      const b64 = (s: string) => Buffer.from(s).toString("base64");
      const { result } = await runWith(
        [GREETING, reply(`334 ${b64("Username:")}\r\n`), line((l) => (l === b64("alice") ? `334 ${b64("Password:")}\r\n` : "535 bad user\r\n")), line((l) => (l === b64("alice-secret-pw") ? "235 ok\r\n" : "535 bad\r\n"))],
        [A.auth("LOGIN")],
      );
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: AUTH LOGIN", "C: ***", "C: ***"]);
    });

    it("CRAM-MD5 computes the HMAC of the challenge", async () => {
      const challenge = "<1896.697170952@postoffice.example.net>";
      const digest = createHmac("md5", "alice-secret-pw").update(challenge).digest("hex");
      const want = Buffer.from(`alice ${digest}`).toString("base64");
      const { result } = await runWith([GREETING, reply(`334 ${Buffer.from(challenge).toString("base64")}\r\n`), line((l) => (l === want ? "235 ok\r\n" : "535 wrong\r\n"))], [A.auth("CRAM-MD5")]);
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    });

    it("failure outcome expects 535; cancel sends * and expects 501", async () => {
      const failed = await runWith([GREETING, reply("535 5.7.8 bad credentials\r\n")], [A.auth("PLAIN", "failure", true)]);
      expect(failed.result.status).to.equal("passed");
      await server?.close();
      const cancelled = await runWith([GREETING, reply("334 \r\n"), line((l) => (l === "*" ? "501 cancelled\r\n" : "235 ??\r\n"))], [A.auth("PLAIN", "cancel")]);
      expect(cancelled.result.status, JSON.stringify(cancelled.result.failure)).to.equal("passed");
    });

    it("a server that accepts wrong credentials fails a failure-outcome step", async () => {
      const { result } = await runWith([GREETING, reply("235 welcome anyway\r\n")], [A.auth("PLAIN", "failure", true)]);
      expect(result.failure?.class).to.equal("assertion");
      expect(result.failure?.message).to.match(/expected 535, got 235/);
    });
  });

  it("redacts a password written into a send line", async () => {
    const { result } = await runWith([GREETING, reply("250 ok\r\n")], [A.send("XPASS ${user.password}"), A.smtp("250")]);
    expect(A.wire(result)).to.include("C: XPASS ***");
    expect(JSON.stringify(result)).to.not.include("alice-secret-pw");
  });

  it("repeat binds its counter and reports an inner failure with the iteration", async () => {
    const { result } = await runWith(
      [GREETING, ...Array.from({ length: 3 }, (_, i) => line((l) => (l === `RCPT TO:<u${i + 1}@lab.test>` ? (i < 2 ? "250 ok\r\n" : "452 too many\r\n") : "500 ?\r\n")))],
      [A.repeat(3, "i", [A.send("RCPT TO:<u${i}@lab.test>"), A.smtp("250")])],
    );
    expect(result.failure?.message).to.match(/iteration 3 of 3/);
    expect(result.failure?.step).to.equal(3);
  });

  it("setup, cleanup and finally: cleanup runs after success, finally failures become warnings", async () => {
    const { result } = await runWith([GREETING, reply("250 a\r\n"), reply("250 b\r\n"), reply("250 c\r\n"), reply("500 d\r\n")], [A.send("B"), A.smtp("250")], {
      setup: [A.send("A"), A.smtp("250")],
      cleanup: [A.send("C"), A.smtp("250")],
      finally: [A.send("D"), A.smtp("250")],
    });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(result.warnings).to.have.length(1);
    expect(result.warnings[0]).to.match(/finally step 2: expected 250, got 500/);
    expect(result.steps.map((s) => `${s.phase}:${s.index}:${s.status}`)).to.deep.equal([
      "setup:1:passed", "setup:2:passed", "steps:1:passed", "steps:2:passed", "cleanup:1:passed", "cleanup:2:passed", "finally:1:passed", "finally:2:failed",
    ]);
  });

  it("a failing setup skips steps and cleanup, and is reported with phase setup", async () => {
    const { result } = await runWith([GREETING, reply("550 no\r\n")], [A.send("B"), A.smtp("250")], {
      setup: [A.send("A"), A.smtp("250")],
      cleanup: [A.send("C")],
    });
    expect(result.failure?.phase).to.equal("setup");
    expect(result.steps.map((s) => `${s.phase}:${s.status}`)).to.deep.equal(["setup:passed", "setup:failed"]);
  });

  it("an unknown variable at run time is a suite bug and propagates", async () => {
    server = await startScriptedServer([GREETING]);
    let thrown: unknown;
    try {
      await A.run(A.testCase("smtp", [A.send("MAIL FROM:<${nope}>")]), A.target("smtp", server.port));
    } catch (error) {
      thrown = error;
    }
    expect(String(thrown)).to.match(/test\.yaml:\d+:7: unknown variable 'nope'/);
  });

  it("max-line-octets: a reply line of 512 octets with code and CRLF passes, one of 513 fails naming RFC 5321 §4.5.3.1.5", async () => {
    const line512 = `500-${"x".repeat(506)}\r\n`;
    const line513 = `500 ${"y".repeat(507)}\r\n`;
    const { result: ok } = await runWith([GREETING, reply(`${line512}500 short\r\n`)], [A.send("BOGUS"), A.smtp("5xx", { maxLineOctets: 512 })]);
    expect(ok.status, JSON.stringify(ok.failure)).to.equal("passed");
    await server?.close();
    const { result } = await runWith([GREETING, reply(`500-short\r\n${line513}`)], [A.send("BOGUS"), A.smtp("5xx", { maxLineOctets: 512 })]);
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.equal("a reply line of 513 octets (code and CRLF included) exceeds 512 (RFC 5321 §4.5.3.1.5)");
    expect(result.failure?.expected).to.equal("every reply line at most 512 octets");
  });
});

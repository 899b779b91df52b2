// POP3 execution against scripted servers: status indicators (exact case),
// response codes, multiline bodies with dot-unstuffing, body matchers, the
// 512-octet response limit, AUTH with continuations.

import { expect } from "chai";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as A from "../../../support/ast.ts";
import { line, reply, send, startScriptedServer, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const GREETING = send("+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n");

describe("exec: POP3", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], steps: Parameters<typeof A.testCase>[1]) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("pop3", steps), A.target("pop3", server.port));
  }

  it("+OK and -ERR pass and fail; PASS is redacted", async () => {
    const { result } = await runWith([GREETING, reply("+OK\r\n"), reply("-ERR [AUTH] invalid password\r\n")], [
      A.send("USER alice"),
      A.pop3("+OK"),
      A.send("PASS ${user.password}"),
      A.pop3("+OK"),
    ]);
    expect(result.failure?.message).to.equal("expected +OK, got -ERR [AUTH] invalid password");
    expect(result.failure?.command).to.equal("PASS ***");
    expect(A.wire(result)).to.include("C: PASS ***");
  });

  it("status indicators are case-exact: +ok is a protocol violation", async () => {
    const { result } = await runWith([GREETING, reply("+ok fine\r\n")], [A.send("NOOP"), A.pop3("+OK")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/upper case/);
  });

  it("response code [IN-USE] matches; a hierarchical code matches its prefix; a missing code fails", async () => {
    const ok = await runWith([GREETING, reply("-ERR [IN-USE] maildrop locked\r\n"), reply("-ERR [SYS/TEMP] later\r\n")], [
      A.send("PASS x"),
      A.pop3("-ERR", { code: "IN-USE" }),
      A.send("STAT"),
      A.pop3("-ERR", { code: "SYS" }),
    ]);
    expect(ok.result.status, JSON.stringify(ok.result.failure)).to.equal("passed");
    await server?.close();
    const missing = await runWith([GREETING, reply("-ERR locked\r\n")], [A.send("PASS x"), A.pop3("-ERR", { code: "IN-USE" })]);
    expect(missing.result.failure?.message).to.match(/has none/);
  });

  it("a multiline body is read to the lone dot, dot-unstuffed, and equals a fixture byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mc-"));
    const fixture = join(dir, "m.eml");
    writeFileSync(fixture, "Subject: x\n\n.dot\n..two\nlast\n");
    const { result } = await runWith([GREETING, reply("+OK 5 lines\r\nSubject: x\r\n\r\n..dot\r\n...two\r\nlast\r\n.\r\n"), reply("+OK\r\n")], [
      A.send("RETR 1"),
      A.pop3("+OK", { multiline: true, body: { equals: { kind: "file", path: fixture }, lineCount: 5, matches: ["^\\.dot$", "^\\.\\.two$"] } }),
      A.send("NOOP"),
      A.pop3("+OK"),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("a body that differs names the first differing line", async () => {
    const { result } = await runWith([GREETING, reply("+OK\r\na\r\nB\r\n.\r\n")], [A.send("RETR 1"), A.pop3("+OK", { multiline: true, body: { equals: { kind: "text", text: "a\nb\n" }, matches: [] } })]);
    expect(result.failure?.message).to.match(/at line 2/);
    expect(result.failure?.expected).to.equal("b");
    expect(result.failure?.actual).to.equal("B");
  });

  it("line count and line regex fail when wrong", async () => {
    const count = await runWith([GREETING, reply("+OK\r\na\r\n.\r\n")], [A.send("TOP 1 0"), A.pop3("+OK", { multiline: true, body: { lineCount: 2, matches: [] } })]);
    expect(count.result.failure?.message).to.equal("expected 2 body lines, got 1");
    await server?.close();
    const regex = await runWith([GREETING, reply("+OK\r\na\r\n.\r\n")], [A.send("TOP 1 0"), A.pop3("+OK", { multiline: true, body: { matches: ["^Subject:"] } })]);
    expect(regex.result.failure?.message).to.match(/no body line matches/);
  });

  it("CAPA lines: includes / excludes by tag, case-insensitive", async () => {
    const capa = "+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nuidl\r\n.\r\n";
    const pass = await runWith([GREETING, reply(capa)], [A.send("CAPA"), A.pop3("+OK", { multiline: true, body: { matches: [], lines: { includes: ["UIDL", "SASL PLAIN"], excludes: ["STLS"] } } })]);
    expect(pass.result.status, JSON.stringify(pass.result.failure)).to.equal("passed");
    await server?.close();
    const fail = await runWith([GREETING, reply(capa)], [A.send("CAPA"), A.pop3("+OK", { multiline: true, body: { matches: [], lines: { includes: ["STLS"], excludes: [] } } })]);
    expect(fail.result.failure?.message).to.equal("line set: missing STLS");
  });

  it("a status line longer than 512 octets is a protocol violation (RFC 2449 §4)", async () => {
    const { result } = await runWith([GREETING, reply(`+OK ${"x".repeat(520)}\r\n`)], [A.send("NOOP"), A.pop3("+OK")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/exceeds 512/);
  });

  it("a 510-octet status line (512 with CRLF) is fine", async () => {
    const { result } = await runWith([GREETING, reply(`+OK ${"x".repeat(506)}\r\n`)], [A.send("NOOP"), A.pop3("+OK")]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("captures from the status text: STAT's count feeds RETR", async () => {
    const { result } = await runWith([GREETING, reply("+OK 3 1200\r\n"), line((l) => (l === "RETR 3" ? "+OK\r\nx\r\n.\r\n" : "-ERR no\r\n"))], [
      A.send("STAT"),
      A.pop3("+OK", { captures: [A.capture("count", "^(\\d+) ")] }),
      A.send("RETR ${count}"),
      A.pop3("+OK", { multiline: true }),
    ]);
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("AUTH PLAIN with a continuation; an SMTP banner on a POP3 port is a protocol violation", async () => {
    const b64 = Buffer.from("\0alice\0alice-secret-pw").toString("base64");
    const ok = await runWith([GREETING, reply("+ \r\n"), line((l) => (l === b64 ? "+OK welcome\r\n" : "-ERR no\r\n"))], [A.auth("PLAIN")]);
    expect(ok.result.status, JSON.stringify(ok.result.failure)).to.equal("passed");
    expect(A.wire(ok.result)).to.include("C: ***");
    await server?.close();
    const wrong = await runWith([send("220 smtp.example ESMTP\r\n")], [A.send("CAPA")]);
    expect(wrong.result.failure?.class).to.equal("protocol-violation");
    expect(wrong.result.failure?.message).to.match(/not a POP3 status line/);
  });
});

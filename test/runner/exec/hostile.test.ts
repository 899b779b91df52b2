// Hostile servers: every misbehaviour ends the test with a clear failure and
// class within its budget, memory stays bounded, sockets are closed.
// The elapsed-time checks are upper bounds (budget plus slack), not timings.

import { expect } from "chai";
import net from "node:net";
import * as A from "../../support/ast.ts";
import { close, drip, flood, hang, reply, reset, send, startScriptedServer, type Action, type ScriptedServer } from "../../support/scripted-server.ts";

const BUDGET_MS = 600;
/** Scheduling slack on a loaded CI machine; a hang would blow far past it. */
const SLACK_MS = 1500;

describe("exec: hostile servers", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], steps: Parameters<typeof A.testCase>[1], protocol: "smtp" | "pop3" | "imap" = "smtp", env = {}) {
    server = await startScriptedServer(actions);
    const ran = await A.run(A.testCase(protocol, steps), A.target(protocol, server.port), { timeoutMs: BUDGET_MS, ...env });
    expect(await server.allClosed(2000), "every socket closed at test end").to.equal(true);
    return ran;
  }

  it("silence: no greeting → timeout within the budget", async () => {
    const { result, elapsedMs } = await runWith([hang()], [A.send("EHLO x")]);
    expect(result.failure?.class).to.equal("timeout");
    expect(result.failure?.message).to.equal(`timed out after ${BUDGET_MS} ms waiting for the greeting`);
    expect(result.failure?.actual).to.equal("no data");
    expect(elapsedMs).to.be.within(BUDGET_MS - 50, BUDGET_MS + SLACK_MS);
  });

  it("drip, one byte per 100 ms: the budget is not renewed by each byte", async () => {
    const { result, elapsedMs } = await runWith([drip("220 a very slow greeting that never ends", 100, true)], [A.send("EHLO x")]);
    expect(result.failure?.class).to.equal("timeout");
    expect(result.failure?.actual).to.match(/^"220 a.*" \(\d+ octets without a line end\)$/);
    expect(elapsedMs).to.be.below(BUDGET_MS + SLACK_MS);
  });

  it("endless line: bounded by the line limit, fails fast as a protocol violation", async () => {
    const { result, elapsedMs } = await runWith([flood(50 * 1024 * 1024, "x")], [A.send("EHLO x")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/line longer than 65536 octets/);
    expect(elapsedMs).to.be.below(BUDGET_MS + SLACK_MS);
    expect(server!.sent[0]!).to.be.below(20 * 1024 * 1024);
  });

  it("100 MB reply: stops at the reply line limit, transcript stays small", async () => {
    const { result, elapsedMs } = await runWith([send("220 hi\r\n"), reply(""), flood(100 * 1024 * 1024)], [A.send("EHLO x"), A.smtp("250")], "smtp", { timeoutMs: 10_000 });
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/^reply longer than 10000 lines/);
    // 10,000 lines of 60 octets, plus what TCP and the read-ahead buffer held when the reader gave up.
    expect(server!.sent[0]!).to.be.below(20 * 1024 * 1024);
    expect(result.transcript.length).to.be.below(2500);
    expect(elapsedMs).to.be.below(10_000);
  });

  it("100 MB multiline POP3 body with a small reply limit: fails after the limit, not after 100 MB", async () => {
    const { result } = await runWith([send("+OK\r\n"), reply("+OK here\r\n"), flood(100 * 1024 * 1024, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")], [A.send("RETR 1"), A.pop3("+OK", { multiline: true })], "pop3", {
      limits: { maxReplyOctets: 1024 * 1024 },
    });
    expect(result.failure?.message).to.match(/multiline response longer than 1048576 octets/);
    expect(server!.sent[0]!).to.be.below(30 * 1024 * 1024);
  });

  it("huge announced IMAP literal is refused before buffering", async () => {
    const { result, elapsedMs } = await runWith([send("* OK hi\r\n"), reply("* 1 FETCH (BODY[] {999999999999}\r\n"), hang()], [A.send("FETCH 1 BODY[]"), A.imap("OK")], "imap");
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/literal of 999999999999 octets/);
    expect(elapsedMs).to.be.below(BUDGET_MS + SLACK_MS);
  });

  it("NUL and invalid UTF-8 are escaped in the transcript and in failures", async () => {
    const { result } = await runWith([send("220 hi\x00there\xff\xfe\r\n"), reply("550 bad\x00\xc3\r\n")], [A.send("NOOP"), A.smtp("250")]);
    expect(A.wire(result)[0]).to.equal("S: 220 hi\\x00there\\xff\\xfe");
    expect(A.wire(result)).to.include("S: 550 bad\\x00\\xc3");
    expect(result.failure?.class).to.equal("assertion");
  });

  it("RST mid-reply: connection error naming the reset", async () => {
    const { result } = await runWith([send("220 hi\r\n"), reply("250-partial\r\n250-more"), reset()], [A.send("EHLO x"), A.smtp("250")]);
    expect(result.status).to.equal("error");
    expect(result.failure?.class).to.equal("connection");
    expect(result.failure?.message).to.match(/connection (reset|closed) by server/);
  });

  it("close after the greeting: the next expect fails with class connection", async () => {
    const { result } = await runWith([send("+OK hi\r\n"), close()], [A.send("CAPA"), A.pop3("+OK")], "pop3");
    expect(result.failure?.class).to.equal("connection");
    expect(result.failure?.message).to.equal("connection closed by server while waiting for a POP3 response");
    expect(result.failure?.command).to.equal("CAPA");
  });

  it("wrong protocol banner: a POP3 greeting on an IMAP port", async () => {
    const { result } = await runWith([send("+OK POP3 ready\r\n")], [A.send("CAPABILITY")], "imap");
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/malformed IMAP response/);
  });

  it("wrong protocol banner: an IMAP greeting on an SMTP port", async () => {
    const { result } = await runWith([send("* OK IMAP4rev1 ready\r\n")], [A.send("EHLO x")]);
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/not an SMTP reply line/);
  });

  it("connection refused: class connection, status error", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const { result } = await A.run(A.testCase("smtp", [A.send("EHLO x")]), A.target("smtp", port));
    expect(result.status).to.equal("error");
    expect(result.failure?.message).to.match(/cannot connect to 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  describe("expect-closed and expect-silence", () => {
    it("a complete reply before the close is fine", async () => {
      const { result } = await runWith([send("220 hi\r\n"), reply("221 bye\r\n"), close()], [A.send("QUIT"), A.closed()]);
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    });

    it("a reset counts as a close", async () => {
      const { result } = await runWith([send("220 hi\r\n"), reply(""), reset()], [A.send("QUIT"), A.closed()]);
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    });

    it("a reply cut off by the close fails", async () => {
      const { result } = await runWith([send("220 hi\r\n"), reply("221-bye\r\n221 by"), close()], [A.send("QUIT"), A.closed()]);
      expect(result.failure?.class).to.equal("assertion");
      expect(result.failure?.message).to.match(/middle of a reply/);
    });

    it("a server that stays open fails with timeout", async () => {
      const { result } = await runWith([send("220 hi\r\n"), reply("221 bye\r\n"), hang()], [A.send("QUIT"), A.closed()]);
      expect(result.failure?.class).to.equal("timeout");
      expect(result.failure?.message).to.equal(`server did not close the connection within ${BUDGET_MS} ms`);
    });

    it("silence passes when nothing comes and fails when something does", async () => {
      const quiet = await runWith([send("220 hi\r\n"), hang()], [A.send("DATA"), A.silence(200)]);
      expect(quiet.result.status, JSON.stringify(quiet.result.failure)).to.equal("passed");
      await server?.close();
      const chatty = await runWith([send("220 hi\r\n"), reply("354 too early\r\n"), hang()], [A.send("X"), A.silence(300)]);
      expect(chatty.result.failure?.class).to.equal("assertion");
      expect(chatty.result.failure?.actual).to.match(/354 too early/);
    });
  });

  it("an aborted run stops a hanging test at once and reports it skipped", async () => {
    server = await startScriptedServer([hang()]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { result, elapsedMs } = await A.run(A.testCase("smtp", [A.send("EHLO")]), A.target("smtp", server.port), { timeoutMs: 5000, signal: controller.signal });
    expect(result.status).to.equal("skipped");
    expect(result.skipReason).to.equal("run aborted");
    expect(result.skipKind).to.equal("aborted");
    expect(elapsedMs).to.be.below(2000);
    expect(await server.allClosed(2000)).to.equal(true);
  });
});

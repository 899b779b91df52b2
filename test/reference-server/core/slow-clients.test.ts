// Slowloris over real sockets (issue 13, item 2): a client trickling one
// octet at a time is cut off once its command line's deadline passes, or once
// its DATA, BDAT chunk or literal falls behind the minimum rate; a timer
// restarted by every octet used to let it hold the session forever. A fast
// client with the same limits is served. Timeouts are lowered to 300 ms.
// Standards: RFC 5321 §4.5.3.2 (timeouts), §4.2.4 (421), RFC 1939 §3, RFC 3501 §5.4, §7.1.5 (BYE).

import { expect } from "chai";
import { LineClient } from "../../../runner/session/line-client.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { readPop3Status, readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";

const DEADLINE_MS = 300;
// 25 octets a second, each octet well within the deadline of the one before.
const OCTET_EVERY_MS = 40;

/** Send `text` one octet every OCTET_EVERY_MS until it is all out or the server has closed; `sent()` says how far it got. */
function trickle(c: LineClient, text: string): { sent(): number } {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= text.length || c.isEnded) {
      clearInterval(timer);
      return;
    }
    void c.send(text[i++]!);
  }, OCTET_EVERY_MS);
  return { sent: () => i };
}

async function smtpSession(server: TestServer): Promise<LineClient> {
  const c = await LineClient.connect({ port: server.ports.smtp });
  expect((await readSmtpReply(c)).code).to.equal(220);
  expect((await smtpCommand(c, "EHLO client.test")).code).to.equal(250);
  return c;
}

async function inTransaction(server: TestServer): Promise<LineClient> {
  const c = await smtpSession(server);
  expect((await smtpCommand(c, "MAIL FROM:<slow@remote.test>")).code).to.equal(250);
  expect((await smtpCommand(c, "RCPT TO:<alice@example.test>")).code).to.equal(250);
  return c;
}

describe("slow clients (reference server)", function () {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer((config) => {
      config.smtp.commandTimeoutMs = DEADLINE_MS;
      config.smtp.dataTimeoutMs = DEADLINE_MS;
      config.pop3.idleTimeoutMs = DEADLINE_MS;
      config.imap.idleTimeoutMs = DEADLINE_MS;
    });
  });
  afterEach(async () => server.stop());
  after(removeTestDataDir);

  it("ends an SMTP command line trickled one octet at a time with 421 4.4.2 at its deadline", async () => {
    const c = await smtpSession(server);
    try {
      const line = `NOOP ${"x".repeat(100)}\r\n`;
      const sending = trickle(c, line);
      const reply = await readSmtpReply(c, 10_000);
      expect(reply.code, reply.lines.join(" | ")).to.equal(421);
      expect(reply.text).to.match(/^4\.4\.2 .*no command within 0\.3 s/);
      expect(sending.sent()).to.be.below(line.length);
      await c.closed();
    } finally {
      c.close();
    }
  });

  it("ends a DATA trickled slower than the minimum rate with 421", async () => {
    const c = await inTransaction(server);
    try {
      expect((await smtpCommand(c, "DATA")).code).to.equal(354);
      const message = `Subject: slow\r\n\r\n${"y".repeat(80)}\r\n.\r\n`;
      const sending = trickle(c, message);
      const reply = await readSmtpReply(c, 10_000);
      expect(reply.code, reply.lines.join(" | ")).to.equal(421);
      expect(reply.text).to.match(/data arriving slower than 500 octets per second/);
      expect(sending.sent()).to.be.below(message.length);
      expect(await server.store.inbox("alice")).to.have.length(0);
    } finally {
      c.close();
    }
  });

  it("ends a BDAT chunk trickled slower than the minimum rate with 421", async () => {
    const c = await inTransaction(server);
    try {
      const chunk = `Subject: slow\r\n\r\n${"z".repeat(80)}\r\n`;
      await c.send(`BDAT ${chunk.length} LAST\r\n`);
      const sending = trickle(c, chunk);
      const reply = await readSmtpReply(c, 10_000);
      expect(reply.code, reply.lines.join(" | ")).to.equal(421);
      expect(reply.text).to.match(/data arriving slower than 500 octets per second/);
      expect(sending.sent()).to.be.below(chunk.length);
    } finally {
      c.close();
    }
  });

  it("serves a fast DATA under the same limits", async () => {
    const c = await inTransaction(server);
    try {
      expect((await smtpCommand(c, "DATA")).code).to.equal(354);
      await c.send(`Subject: fast\r\n\r\n${("f".repeat(998) + "\r\n").repeat(2048)}.\r\n`);
      expect((await readSmtpReply(c)).code).to.equal(250);
    } finally {
      c.close();
    }
  });

  it("ends a POP3 command line trickled one octet at a time at its deadline", async () => {
    const c = await LineClient.connect({ port: server.ports.pop3 });
    try {
      expect(await readPop3Status(c)).to.match(/^\+OK/);
      const line = `USER ${"u".repeat(100)}\r\n`;
      const sending = trickle(c, line);
      expect(await readPop3Status(c, 10_000)).to.match(/^-ERR no command within 0\.3 s/);
      expect(sending.sent()).to.be.below(line.length);
    } finally {
      c.close();
    }
  });

  it("ends an IMAP command line, and a literal, trickled one octet at a time with BYE", async () => {
    const line = await ImapLineClient.connect({ port: server.ports.imap! });
    let literal: ImapLineClient | null = null;
    try {
      const text = `a1 NOOP${" ".repeat(100)}\r\n`;
      const sendingLine = trickle(line, text);
      expect(await line.response(10_000)).to.match(/^\* BYE .*no command within 0\.3 s/);
      expect(sendingLine.sent()).to.be.below(text.length);

      literal = await ImapLineClient.connect({ port: server.ports.imap! });
      await literal.send("b1 LOGIN {100}\r\n");
      expect(await literal.response()).to.match(/^\+ /);
      const sendingLiteral = trickle(literal, "l".repeat(100) + " password\r\n");
      expect(await literal.response(10_000)).to.match(/^\* BYE .*data arriving slower than 500 octets per second/);
      expect(sendingLiteral.sent()).to.be.below(100);
    } finally {
      line.close();
      literal?.close();
    }
  });
});

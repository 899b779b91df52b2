// The submission listener (RFC 6409, port base + 587) over real sockets:
// 530 before AUTH, 550 5.7.1 for a sender that is not the user's, Date and
// Message-ID added when missing and left alone when present; and the
// relay port (25) unchanged.

import { expect } from "chai";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const ALICE_PLAIN = b64("\0alice\0alice-pw");

async function session(port: number, login = true): Promise<LineClient> {
  const client = await LineClient.connect({ port, insecure: true });
  expect((await readSmtpReply(client)).code).to.equal(220);
  expect((await smtpCommand(client, "EHLO client.test")).code).to.equal(250);
  if (login) expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(235);
  return client;
}

describe("SMTP submission port (reference server)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer((config) => {
      config.users[0]!.aliases = ["alice.liddell@example.test"];
    });
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  async function submit(message: string): Promise<string> {
    const client = await session(server.ports.submission);
    try {
      const before = server.store.deliveries.length;
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      expect((await smtpCommand(client, `${message}\r\n.`)).code).to.equal(250);
      expect(server.store.deliveries.length).to.equal(before + 1);
      return server.store.deliveries.at(-1)!.message.toString("latin1");
    } finally {
      client.close();
    }
  }

  it("refuses MAIL and VRFY before AUTH with 530 5.7.0, and keeps serving", async () => {
    const client = await session(server.ports.submission, false);
    try {
      const mail = await smtpCommand(client, "MAIL FROM:<alice@example.test>");
      expect(mail.code).to.equal(530);
      expect(mail.text).to.match(/^5\.7\.0 /);
      expect((await smtpCommand(client, "VRFY bob")).code).to.equal(530);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(235);
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("accepts the user's own address, an alias and <> as sender, and refuses another user's with 550 5.7.1", async () => {
    const client = await session(server.ports.submission);
    try {
      for (const sender of ["alice@example.test", "ALICE@example.test", "alice.liddell@example.test", ""]) {
        expect((await smtpCommand(client, `MAIL FROM:<${sender}>`)).code, sender).to.equal(250);
        expect((await smtpCommand(client, "RSET")).code).to.equal(250);
      }
      const foreign = await smtpCommand(client, "MAIL FROM:<bob@example.test>");
      expect(foreign.code).to.equal(550);
      expect(foreign.text).to.match(/^5\.7\.1 /);
      // The refused MAIL opened no transaction.
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(503);
    } finally {
      client.close();
    }
  });

  it("adds Date and Message-ID to a message that lacks them, after the trace fields", async () => {
    const stored = await submit("Subject: bare\r\n\r\nbody");
    const header = stored.slice(0, stored.indexOf("\r\n\r\n"));
    expect(header).to.match(/\r\nDate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000\r\n/);
    expect(header).to.match(/\r\nMessage-ID: <[0-9a-f]+\.[0-9a-z]+@mail\.example\.test>\r\n/);
    expect(header.indexOf("Received:")).to.be.lessThan(header.indexOf("Date:"));
    expect(stored.endsWith("Subject: bare\r\n\r\nbody\r\n")).to.equal(true);
  });

  it("leaves a message with both fields as it is, whatever their case or folding", async () => {
    const message = "DATE:\r\n Thu, 1 Jan 2026 00:00:00 +0000\r\nmessage-id: <x@y.test>\r\nSubject: full\r\n\r\nDate: in the body\r\n";
    const stored = await submit(message.slice(0, -2));
    expect(stored.match(/^date:/gim)).to.have.length(2);
    expect(stored.match(/^message-id:/gim)).to.have.length(1);
    expect(stored.endsWith(message)).to.equal(true);
  });

  it("adds only the missing one, and reads a header that ends the message (no body)", async () => {
    const stored = await submit("Date: Thu, 1 Jan 2026 00:00:00 +0000\r\nSubject: no id");
    expect(stored.match(/^date:/gim)).to.have.length(1);
    expect(stored.match(/^message-id:/gim)).to.have.length(1);
  });

  it("leaves the relay port as it was: MAIL without AUTH, any sender, no fields added", async () => {
    const client = await session(server.ports.smtp, false);
    try {
      expect((await smtpCommand(client, "MAIL FROM:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      expect((await smtpCommand(client, "Subject: relay\r\n\r\nbody\r\n.")).code).to.equal(250);
      const stored = server.store.deliveries.at(-1)!.message.toString("latin1");
      expect(stored).to.not.match(/^(date|message-id):/im);
    } finally {
      client.close();
    }
  });
});

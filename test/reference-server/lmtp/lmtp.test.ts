// The LMTP listener (RFC 2033, port base + 24) over real sockets: LHLO with
// the keywords LMTP requires and CHUNKING, HELO / EHLO / AUTH refused as unknown
// commands, DATA without a recipient 503, one reply per accepted RCPT after
// DATA and after BDAT LAST in RCPT order (a repeated recipient too), none
// after BDAT LAST without a recipient, a store failure for one
// user failing only that user's replies, a message refused as a whole refused
// once per recipient, and the Received field naming LMTP. The SMTP port does not speak LHLO.

import { expect } from "chai";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { removeTestDataDir, testDataDir } from "../support/server.ts";
import { MemoryStore } from "../support/memory-store.ts";

/** A store whose disk is full for one user only: what a mailbox over its quota looks like to the server. */
class OneUserFullStore extends MemoryStore {
  fullUser: string | null = null;
  override async deliver(user: string, message: Buffer): Promise<number> {
    if (user === this.fullUser) throw Object.assign(new Error("quota exceeded"), { code: "EDQUOT" });
    return super.deliver(user, message);
  }
}

async function lmtpSession(port: number): Promise<LineClient> {
  const client = await LineClient.connect({ port, insecure: true });
  expect((await readSmtpReply(client)).code).to.equal(220);
  const lhlo = await smtpCommand(client, "LHLO client.test");
  expect(lhlo.code).to.equal(250);
  return client;
}

describe("LMTP listener (reference server)", function () {
  let server: RunningServer;
  let store: OneUserFullStore;
  before(async () => {
    const config = defaultConfig();
    config.auth.failureDelayMs = 0;
    config.smtp.maxMessageOctets = 4096;
    store = new OneUserFullStore();
    server = await startServer({ config, dataDir: await testDataDir(), portBase: "ephemeral", store });
  });
  afterEach(() => {
    store.fullUser = null;
  });
  after(async () => {
    await server.close();
    await removeTestDataDir();
  });

  it("answers LHLO with PIPELINING, ENHANCEDSTATUSCODES and CHUNKING, and no AUTH or DSN", async () => {
    const client = await LineClient.connect({ port: server.ports.lmtp });
    try {
      expect((await readSmtpReply(client)).code).to.equal(220);
      const lhlo = await smtpCommand(client, "LHLO client.test");
      expect(lhlo.code).to.equal(250);
      const keywords = lhlo.lines.slice(1).map((l) => l.slice(4).split(" ")[0]);
      expect(keywords).to.include.members(["PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "CHUNKING"]);
      expect(keywords).to.not.include.members(["AUTH"]);
      expect(keywords).to.not.include("DSN");
    } finally {
      client.close();
    }
  });

  it("refuses HELO, EHLO and AUTH with 500 and keeps serving", async () => {
    const client = await LineClient.connect({ port: server.ports.lmtp });
    try {
      expect((await readSmtpReply(client)).code).to.equal(220);
      for (const command of ["HELO client.test", "EHLO client.test", "AUTH PLAIN"]) {
        expect((await smtpCommand(client, command)).code, command).to.equal(500);
      }
      expect((await smtpCommand(client, "LHLO client.test")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("refuses DATA with no accepted recipient with 503", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<nobody@example.test>")).code).to.equal(550);
      expect((await smtpCommand(client, "DATA")).code).to.equal(503);
    } finally {
      client.close();
    }
  });

  it("sends one reply per accepted RCPT in order, a repeated recipient included, and delivers one copy per user", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    const before = store.deliveries.length;
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      for (const rcpt of ["bob@example.test", "alice@example.test", "bob@example.test"]) expect((await smtpCommand(client, `RCPT TO:<${rcpt}>`)).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<nobody@example.test>")).code).to.equal(550);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      await client.send("Subject: lmtp\r\n\r\nhello\r\n.\r\n");
      const replies = [await readSmtpReply(client), await readSmtpReply(client), await readSmtpReply(client)];
      expect(replies.map((r) => r.code)).to.deep.equal([250, 250, 250]);
      expect(replies.map((r) => r.text)).to.deep.equal(["2.0.0 <bob@example.test> delivered", "2.0.0 <alice@example.test> delivered", "2.0.0 <bob@example.test> delivered"]);
      // No fourth reply: the next one is NOOP's.
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      const copies = store.deliveries.slice(before);
      expect(copies.map((d) => d.user).sort()).to.deep.equal(["alice", "bob"]);
      expect(copies[0]!.message.toString("latin1")).to.match(/\r\n\tby \S+ with LMTP id /);
    } finally {
      client.close();
    }
  });

  it("fails only the recipients of a user whose copy cannot be stored (452 4.3.1), the others get 250", async () => {
    store.fullUser = "bob";
    const client = await lmtpSession(server.ports.lmtp);
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      await client.send("Subject: lmtp\r\n\r\nhello\r\n.\r\n");
      const first = await readSmtpReply(client);
      const second = await readSmtpReply(client);
      expect([first.code, second.code]).to.deep.equal([250, 452]);
      expect(second.text).to.match(/^4\.3\.1 /);
    } finally {
      client.close();
    }
  });

  it("refuses a message over the size limit once per recipient", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    const before = store.deliveries.length;
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      await client.send(`Subject: big\r\n\r\n${"x".repeat(900)}\r\n`.repeat(6) + ".\r\n");
      expect([(await readSmtpReply(client)).code, (await readSmtpReply(client)).code]).to.deep.equal([552, 552]);
      expect(store.deliveries.length).to.equal(before);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("answers BDAT LAST with one reply per accepted RCPT in order, and a chunk before it with one 250", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    const before = store.deliveries.length;
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      for (const rcpt of ["bob@example.test", "alice@example.test"]) expect((await smtpCommand(client, `RCPT TO:<${rcpt}>`)).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<nobody@example.test>")).code).to.equal(550);
      const head = "Subject: chunked\r\n\r\n";
      await client.send(`BDAT ${head.length}\r\n${head}`);
      expect((await readSmtpReply(client)).code).to.equal(250);
      await client.send("BDAT 7 LAST\r\nhello\r\n");
      const replies = [await readSmtpReply(client), await readSmtpReply(client)];
      expect(replies.map((r) => r.text)).to.deep.equal(["2.0.0 <bob@example.test> delivered", "2.0.0 <alice@example.test> delivered"]);
      // No third reply (for the refused RCPT, or for the message as a whole): the next one is NOOP's.
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      const copies = store.deliveries.slice(before);
      expect(copies.map((d) => d.user).sort()).to.deep.equal(["alice", "bob"]);
      expect(copies[0]!.message.toString("latin1")).to.match(/Subject: chunked\r\n\r\nhello\r\n$/);
    } finally {
      client.close();
    }
  });

  it("refuses a chunked message over the size limit once per recipient at BDAT LAST", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    const before = store.deliveries.length;
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      const big = "x".repeat(5000);
      await client.send(`BDAT ${big.length} LAST\r\n${big}`);
      expect([(await readSmtpReply(client)).code, (await readSmtpReply(client)).code]).to.deep.equal([552, 552]);
      expect(store.deliveries.length).to.equal(before);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("gives BDAT LAST no reply when no RCPT was accepted, and ends the transaction", async () => {
    const client = await lmtpSession(server.ports.lmtp);
    try {
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<nobody@example.test>")).code).to.equal(550);
      await client.send("BDAT 5 LAST\r\nhello");
      // The next reply is NOOP's, not one for BDAT; a new MAIL is accepted (no transaction left open).
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("leaves the SMTP port as it was: LHLO is unknown there, EHLO works", async () => {
    const client = await LineClient.connect({ port: server.ports.smtp });
    try {
      expect((await readSmtpReply(client)).code).to.equal(220);
      expect((await smtpCommand(client, "LHLO client.test")).code).to.equal(500);
      expect((await smtpCommand(client, "EHLO client.test")).code).to.equal(250);
    } finally {
      client.close();
    }
  });
});

// SMTP message data over real sockets: the terminator, dot-stuffing, the
// smuggling defence (bare LF / bare CR), actual size and line limits, BDAT,
// trace headers, store failure, and a client that vanishes mid-DATA.

import { expect } from "chai";
import { removeTestDataDir, sessionsEnded, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

async function openTransaction(server: TestServer, rcpt = "alice@example.test"): Promise<LineClient> {
  const client = await LineClient.connect({ port: server.ports.smtp });
  expect((await readSmtpReply(client)).code).to.equal(220);
  expect((await smtpCommand(client, "EHLO client.test")).code).to.equal(250);
  expect((await smtpCommand(client, "MAIL FROM:<sender@remote.test>")).code).to.equal(250);
  expect((await smtpCommand(client, `RCPT TO:<${rcpt}>`)).code).to.equal(250);
  return client;
}

/** The stored message without Return-Path and the (folded) Received field. */
function withoutTrace(stored: Buffer): Buffer {
  const text = stored.toString("latin1");
  expect(text).to.match(/^Return-Path: <[^>]*>\r\nReceived: /);
  let at = text.indexOf("\r\n") + 2; // after Return-Path
  at = text.indexOf("\r\n", at) + 2; // after the Received first line
  while (text[at] === "\t" || text[at] === " ") at = text.indexOf("\r\n", at) + 2;
  return stored.subarray(at);
}

describe("SMTP message data (reference server)", function () {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });
  after(removeTestDataDir);

  it("stores the message byte-exact after removing dot-stuffing, with trace headers", async () => {
    const client = await openTransaction(server);
    try {
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      client.send("Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\n.\r\n");
      const reply = await readSmtpReply(client);
      expect(reply.code).to.equal(250);
      const [stored] = await server.store.inbox("alice");
      expect(withoutTrace(stored!).toString("latin1")).to.equal("Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n");
      const trace = stored!.toString("latin1");
      expect(trace).to.match(/^Return-Path: <sender@remote\.test>\r\n/);
      expect(trace).to.match(
        /Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test with ESMTP id [0-9A-F]+\r\n\tfor <alice@example\.test>; \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n/,
      );
    } finally {
      client.close();
    }
  });

  it("writes <> as the Return-Path of a bounce", async () => {
    const client = await LineClient.connect({ port: server.ports.smtp });
    try {
      await readSmtpReply(client);
      await smtpCommand(client, "HELO client.test");
      expect((await smtpCommand(client, "MAIL FROM:<>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<postmaster>")).code).to.equal(250);
      await smtpCommand(client, "DATA");
      expect((await smtpCommand(client, "bounce\r\n.")).code).to.equal(250);
      const [stored] = await server.store.inbox("alice");
      expect(stored!.toString()).to.match(/^Return-Path: <>\r\nReceived: from client\.test .*\r\n\tby mail\.example\.test with SMTP id/);
    } finally {
      client.close();
    }
  });

  for (const [title, payload] of [
    ["bare LF . bare LF (smuggling)", "Subject: x\r\n\r\nbody\n.\nMAIL FROM:<evil@x.test>\r\n"],
    ["CRLF . bare LF", "Subject: x\r\n\r\nbody\r\n.\nsmuggled\r\n"],
    // The dot line itself ends in CRLF, but the line before it did not: not CRLF.CRLF.
    ["bare LF . CRLF (smuggling)", "Subject: x\r\n\r\nbody\n.\r\nNOOP\r\n"],
    ["bare CR . CRLF (smuggling)", "Subject: x\r\n\r\nbody\r.\r\nNOOP\r\n"],
    ["bare CR line ends", "Subject: x\r\n\r\nbody\r.\rmore\r\n"],
    ["a bare LF line", "Subject: x\nbody\r\n"],
  ] as const) {
    it(`refuses data with ${title} after the real terminator, and stays in step`, async () => {
      const client = await openTransaction(server);
      try {
        expect((await smtpCommand(client, "DATA")).code).to.equal(354);
        client.send(payload + ".\r\n");
        const reply = await readSmtpReply(client);
        expect(reply.code).to.equal(554);
        expect(reply.text).to.match(/^5\.6\.0 /);
        expect(server.store.deliveries).to.have.length(0);
        // Nothing after "." inside the data was executed as a command.
        expect((await smtpCommand(client, "RCPT TO:<alice@example.test>")).code).to.equal(503);
        expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      } finally {
        client.close();
      }
    });
  }

  it("stores byte-exact a message whose lines arrive split anywhere, even inside a CRLF", async () => {
    const body = ["Subject: pieces", "", "plain line", "..stuffed", "x".repeat(998), "another plain line", ".", ""].join("\r\n");
    // Pieces cut inside the CRLF, inside a line, and just before a leading dot.
    const cuts = [9, 16, 17, 30, 40, 41, 600, body.length - 3, body.length - 2];
    const client = await openTransaction(server);
    try {
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      let from = 0;
      for (const cut of [...cuts, body.length]) {
        await client.send(body.slice(from, cut));
        from = cut;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect((await readSmtpReply(client)).code).to.equal(250);
      const [stored] = await server.store.inbox("alice");
      expect(withoutTrace(stored!).toString("latin1")).to.equal(["Subject: pieces", "", "plain line", ".stuffed", "x".repeat(998), "another plain line", ""].join("\r\n"));
    } finally {
      client.close();
    }
  });

  it("turns bare line ends into CRLF when configured to normalize", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.smtp.bareLineEndings = "normalize"));
    const client = await openTransaction(server);
    try {
      await smtpCommand(client, "DATA");
      client.send("Subject: x\n\nline1\rline2\r\n.\r\n");
      expect((await readSmtpReply(client)).code).to.equal(250);
      const [stored] = await server.store.inbox("alice");
      expect(withoutTrace(stored!).toString()).to.equal("Subject: x\r\n\r\nline1\r\nline2\r\n");
    } finally {
      client.close();
    }
  });

  it("enforces the size limit on the actual data, reading to the end first", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.smtp.maxMessageOctets = 2048));
    const client = await openTransaction(server);
    try {
      await smtpCommand(client, "DATA");
      client.send(("x".repeat(98) + "\r\n").repeat(40) + ".\r\n");
      const reply = await readSmtpReply(client);
      expect(reply.code).to.equal(552);
      expect(reply.text).to.match(/^5\.3\.4 /);
      expect(server.store.deliveries).to.have.length(0);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("accepts 998-octet lines and refuses a 999-octet one (after reading to the end)", async () => {
    const client = await openTransaction(server);
    try {
      await smtpCommand(client, "DATA");
      client.send("a".repeat(998) + "\r\n." + "b".repeat(997) + "\r\n.\r\n");
      expect((await readSmtpReply(client)).code).to.equal(250);
      await smtpCommand(client, "MAIL FROM:<a@b.test>");
      await smtpCommand(client, "RCPT TO:<alice@example.test>");
      await smtpCommand(client, "DATA");
      client.send("a".repeat(999) + "\r\n" + "c".repeat(5000) + "\r\nok\r\n.\r\n");
      const reply = await readSmtpReply(client);
      expect(reply.code).to.equal(554);
      expect(server.store.deliveries).to.have.length(1);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("delivers nothing when the client vanishes mid-DATA", async () => {
    const client = await openTransaction(server);
    await smtpCommand(client, "DATA");
    // Handed to the kernel before the close, so the server reads half a message, then the end of the connection.
    await client.send("Subject: half\r\n\r\nhalf a message\r\n");
    client.close();
    await sessionsEnded(server, client);
    expect(server.store.deliveries).to.have.length(0);
    // The server is still serving.
    const next = await openTransaction(server, "bob@example.test");
    next.close();
  });

  it("answers 451 4.3.0 when the store fails, and the session goes on", async () => {
    server.store.failDeliveries = new Error("disk full");
    const client = await openTransaction(server);
    try {
      await smtpCommand(client, "DATA");
      const reply = await smtpCommand(client, "x\r\n.");
      expect(reply.code).to.equal(451);
      expect(reply.text).to.match(/^4\.3\.0 /);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("delivers one copy per user to several recipients, each with its own Received", async () => {
    const client = await openTransaction(server);
    try {
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<ALICE@example.test>")).code).to.equal(250);
      await smtpCommand(client, "DATA");
      expect((await smtpCommand(client, "hi\r\n.")).code).to.equal(250);
      expect(server.store.deliveries.map((d) => d.user).sort()).to.deep.equal(["alice", "bob"]);
      expect(server.store.deliveries.find((d) => d.user === "bob")!.message.toString()).to.match(/for <bob@example\.test>;/);
    } finally {
      client.close();
    }
  });

  it("takes a message in BDAT chunks (CHUNKING) with no dot-stuffing", async () => {
    const client = await openTransaction(server);
    try {
      client.send("BDAT 18\r\nSubject: c\r\n\r\n.a\r\n");
      expect((await readSmtpReply(client)).code).to.equal(250);
      client.send("BDAT 5 LAST\r\nb\r\n.\r");
      const reply = await readSmtpReply(client);
      expect(reply.code, reply.text).to.equal(554); // the final chunk ends in a bare CR
      client.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<alice@example.test>\r\nBDAT 9 LAST\r\n.x\r\n.\r\n\r\n");
      expect((await readSmtpReply(client)).code).to.equal(250);
      expect((await readSmtpReply(client)).code).to.equal(250);
      expect((await readSmtpReply(client)).code).to.equal(250);
      const [stored] = await server.store.inbox("alice");
      expect(withoutTrace(stored!).toString()).to.equal(".x\r\n.\r\n\r\n");
    } finally {
      client.close();
    }
  });

  it("refuses an over-size BDAT chunk after consuming it", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.smtp.maxMessageOctets = 1024));
    const client = await openTransaction(server);
    try {
      client.send(`BDAT 2000\r\n${"y".repeat(2000)}NOOP\r\n`);
      expect((await readSmtpReply(client)).code).to.equal(552);
      expect((await readSmtpReply(client)).code).to.equal(250);
    } finally {
      client.close();
    }
  });
});

// Memory held for clients, over real sockets (issue 13, item 1): a DATA of
// empty lines costs its octets, not a buffer per line; a spent MemoryBudget
// refuses new transactions (SMTP 452 4.3.1, IMAP NO [UNAVAILABLE] before the
// "+", BDAT 452 after its chunk) and takes them again once given back; a
// client pipelining RETR without reading cannot make the server queue replies.
// Limits are lowered so that a few MiB show what 24 MiB per client did.
// Standards: RFC 5321 §4.2.3 (452), RFC 1870 §6.1, RFC 3030 §2, RFC 5530 §3 (UNAVAILABLE), RFC 1939 §7.

import { expect } from "chai";
import * as net from "node:net";
import { LineClient } from "../../../runner/session/line-client.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { readSmtpReply, smtpCommand, type SmtpReply } from "../../../runner/session/line-replies.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";

const MIB = 1024 * 1024;

/** JS heap and Buffer memory of this process (the server runs in it), sampled until stop() gives the peak growth. */
function memoryPeak(): { stop(): number } {
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external + m.arrayBuffers;
  };
  const before = used();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, used())), 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, used()) - before;
    },
  };
}

async function smtpSession(server: TestServer): Promise<LineClient> {
  const c = await LineClient.connect({ port: server.ports.smtp });
  expect((await readSmtpReply(c)).code).to.equal(220);
  expect((await smtpCommand(c, "EHLO client.test")).code).to.equal(250);
  return c;
}

/** A client in the middle of DATA with `octets` of message sent: what it holds stays counted until it ends the data. */
async function holdingData(server: TestServer, octets: number): Promise<LineClient> {
  const c = await smtpSession(server);
  expect((await smtpCommand(c, "MAIL FROM:<big@remote.test>")).code).to.equal(250);
  expect((await smtpCommand(c, "RCPT TO:<alice@example.test>")).code).to.equal(250);
  expect((await smtpCommand(c, "DATA")).code).to.equal(354);
  const line = "x".repeat(998) + "\r\n";
  await c.send(line.repeat(Math.ceil(octets / line.length)));
  return c;
}

/** MAIL again and again (with RSET) until the server refuses it: it refuses once it has read the other client's data. */
async function mailUntilRefused(c: LineClient): Promise<SmtpReply> {
  for (let attempt = 0; attempt < 2000; attempt++) {
    const reply = await smtpCommand(c, "MAIL FROM:<second@remote.test>");
    if (reply.code !== 250) return reply;
    expect((await smtpCommand(c, "RSET")).code).to.equal(250);
  }
  throw new Error("MAIL was never refused while another client held most of the memory budget");
}

describe("memory held for clients (reference server)", function () {
  let server: TestServer;
  afterEach(async () => server.stop());
  after(removeTestDataDir);

  it("holds a DATA message of empty lines at its octet count, not a buffer per line", async () => {
    server = await startTestServer((config) => {
      config.smtp.maxMessageOctets = 8 * MIB;
    });
    const c = await smtpSession(server);
    try {
      expect((await smtpCommand(c, "MAIL FROM:<empty@remote.test>")).code).to.equal(250);
      expect((await smtpCommand(c, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(c, "DATA")).code).to.equal(354);
      const peak = memoryPeak();
      // Two million empty lines: kept one buffer each, they took ~450 MiB of heap.
      await c.send(Buffer.alloc(4 * MIB, "\r\n"));
      await c.send(".\r\n");
      expect((await readSmtpReply(c, 30_000)).code).to.equal(250);
      const grown = peak.stop();
      expect(grown, `grew by ${(grown / MIB).toFixed(0)} MiB for 4 MiB of empty lines`).to.be.below(96 * MIB);
      const [stored] = await server.store.inbox("alice");
      expect(stored!.length).to.be.above(4 * MIB);
    } finally {
      c.close();
    }
  });

  describe("with the budget taken by another client", function () {
    beforeEach(async () => {
      server = await startTestServer((config) => {
        config.memory.maxHeldOctets = 3 * MIB;
        config.smtp.maxMessageOctets = 2 * MIB;
      });
    });

    it("refuses MAIL with 452 4.3.1, then accepts it once the data is delivered", async () => {
      const big = await holdingData(server, 1.5 * MIB);
      const second = await smtpSession(server);
      try {
        const refused = await mailUntilRefused(second);
        expect(refused.code).to.equal(452);
        expect(refused.text).to.match(/^4\.3\.1 /);
        // The client that holds the memory still gets its message delivered.
        await big.send(".\r\n");
        expect((await readSmtpReply(big)).code).to.equal(250);
        expect((await smtpCommand(second, "MAIL FROM:<second@remote.test>")).code).to.equal(250);
      } finally {
        big.close();
        second.close();
      }
    });

    it("refuses a BDAT chunk that does not fit with 452 4.3.1 after reading it, and stays in step", async () => {
      const big = await holdingData(server, 1.5 * MIB);
      const second = await smtpSession(server);
      try {
        await mailUntilRefused(second);
        // A small declared SIZE passes MAIL; the chunk itself does not fit.
        expect((await smtpCommand(second, "MAIL FROM:<second@remote.test> SIZE=1000")).code).to.equal(250);
        expect((await smtpCommand(second, "RCPT TO:<bob@example.test>")).code).to.equal(250);
        const chunk = Buffer.from(("y".repeat(78) + "\r\n").repeat(20_000));
        void second.send(Buffer.concat([Buffer.from(`BDAT ${chunk.length} LAST\r\n`), chunk]));
        const reply = await readSmtpReply(second);
        expect(reply.code).to.equal(452);
        expect(reply.text).to.match(/^4\.3\.1 /);
        expect((await smtpCommand(second, "NOOP")).code).to.equal(250);
        expect(await server.store.inbox("bob")).to.have.length(0);
      } finally {
        big.close();
        second.close();
      }
    });

    it("refuses an APPEND literal that does not fit with NO [UNAVAILABLE] before the '+'", async () => {
      const big = await holdingData(server, 1.5 * MIB);
      const probe = await smtpSession(server);
      const imap = await ImapLineClient.connect({ port: server.ports.imap! });
      try {
        await mailUntilRefused(probe);
        expect((await imap.run("LOGIN alice alice-pw")).status).to.equal("OK");
        const refused = await imap.run("APPEND INBOX", Buffer.alloc(2_000_000, "z"));
        expect(refused.tagged).to.match(/^\S+ NO \[UNAVAILABLE\]/);
        expect((await imap.run("NOOP")).status).to.equal("OK");
        await big.send(".\r\n");
        expect((await readSmtpReply(big)).code).to.equal(250);
        expect((await imap.run("APPEND INBOX", "Subject: fits\r\n\r\nnow\r\n")).status).to.equal("OK");
      } finally {
        big.close();
        probe.close();
        imap.close();
      }
    });
  });

  it("does not queue replies for a client that pipelines RETR and never reads them", async () => {
    server = await startTestServer((config) => {
      config.pop3.idleTimeoutMs = 500;
    });
    await server.store.deliver("alice", Buffer.from("Subject: big\r\n\r\n" + ("r".repeat(998) + "\r\n").repeat(1024)));
    // Every read a fresh copy, as from the Maildir store; counted, to see how far the server ran ahead.
    const inbox = await server.store.mailbox("alice", "INBOX");
    const read = inbox.read.bind(inbox);
    let reads = 0;
    inbox.read = async (uid: number) => {
      reads++;
      return Buffer.from(await read(uid));
    };
    // A raw socket that stops reading once logged in (a line client would read ahead).
    const socket = net.connect({ port: server.ports.pop3, host: "127.0.0.1" });
    socket.on("error", () => {});
    try {
      let received = "";
      await new Promise<void>((resolve) => {
        socket.on("data", (chunk: Buffer) => {
          received += chunk.toString("latin1");
          if (received.split("\r\n").length > 3) resolve();
        });
        socket.write("USER alice\r\nPASS alice-pw\r\n");
      });
      expect(received.split("\r\n").slice(0, 3).every((line) => line.startsWith("+OK"))).to.equal(true);
      socket.removeAllListeners("data");
      socket.pause();
      const peak = memoryPeak();
      // 200 × 1 MiB of replies: queued without bound, they took over 200 MiB.
      socket.write("RETR 1\r\n".repeat(200));
      // The server waits for this client to read, gives up after its timeout and ends the session.
      await server.sessionEnded(server.ports.pop3, socket.localPort!);
      const grown = peak.stop();
      expect(grown, `grew by ${(grown / MIB).toFixed(0)} MiB`).to.be.below(64 * MIB);
      // What the socket buffers hold, not all 200.
      expect(reads).to.be.below(40);
    } finally {
      socket.destroy();
    }
  });
});

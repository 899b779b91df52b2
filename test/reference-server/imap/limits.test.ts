// Hostile and careless clients: literals over the limit (refused before the
// "+", or read and dropped when sent as {n+}), over-long lines, bad literal
// counts, NUL bytes, a client that vanishes mid-APPEND (nothing half-written
// becomes visible), many idle sessions, STARTTLS with pipelined input,
// LOGINDISABLED, autologout and BYE on shutdown. The server answers each the
// RFC's way and keeps serving.
// Standards: RFC 3501 §4.3, §5.4, §6.2.1, §7.1.5; RFC 7888 §4; RFC 7889; RFC 4469 §3 ([TOOBIG]); RFC 2595 §3.1.

import { expect } from "chai";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { sessionsEnded } from "../support/server.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

const APPEND_LIMIT = 4096;

describe("IMAP limits and bad input", function () {
  let server: ImapTestServer;
  beforeEach(async () => {
    server = await startImapServer((config) => {
      config.imap.maxAppendOctets = APPEND_LIMIT;
    });
  });
  afterEach(async () => server.stop());

  async function inboxCount(): Promise<number> {
    return (await (await server.store.mailbox("alice", "INBOX")).status()).messages.length;
  }

  it("advertises APPENDLIMIT and refuses a bigger {n} literal with NO [TOOBIG] before any '+'", async () => {
    const c = await loggedIn(server.imap);
    try {
      expect((await c.run("CAPABILITY")).untagged[0]).to.contain(`APPENDLIMIT=${APPEND_LIMIT}`);
      const tag = c.nextTag();
      c.send(`${tag} APPEND INBOX {${APPEND_LIMIT + 1}}\r\n`);
      const answer = await c.response();
      expect(answer).to.match(new RegExp(`^${tag} NO \\[TOOBIG\\]`));
      expect((await c.run("NOOP")).status).to.equal("OK");
      expect(await inboxCount()).to.equal(0);
    } finally {
      c.close();
    }
  });

  it("reads and drops a {n+} literal over the limit: its octets are never taken as commands", async () => {
    const c = await loggedIn(server.imap);
    try {
      const junk = Buffer.from("x LOGOUT\r\n".repeat(2000));
      const tag = c.nextTag();
      c.send(Buffer.concat([Buffer.from(`${tag} APPEND INBOX {${junk.length}+}\r\n`), junk, Buffer.from("\r\n")]));
      const reply = await c.until(tag);
      expect(reply.tagged).to.match(/NO \[TOOBIG\]/);
      expect(reply.untagged).to.deep.equal([]);
      expect((await c.run("NOOP")).status).to.equal("OK");
      expect(await inboxCount()).to.equal(0);
    } finally {
      c.close();
    }
  });

  it("refuses an argument literal over 64 KiB, and a line over the line limit, and goes on", async () => {
    const c = await ImapLineClient.connect({ port: server.imap });
    try {
      const tag = c.nextTag();
      c.send(`${tag} LOGIN {100000}\r\n`);
      expect(await c.response()).to.match(new RegExp(`^${tag} NO \\[TOOBIG\\]`));
      c.send(`t99 LOGIN ${"a".repeat(70_000)} pw\r\n`);
      expect(await c.response()).to.match(/^\* BAD \[TOOBIG\]/);
      expect((await c.run("NOOP")).status).to.equal("OK");
    } finally {
      c.close();
    }
  });

  it("answers malformed literal counts, NUL and unbalanced parentheses with a tagged BAD", async () => {
    const c = await loggedIn(server.imap);
    try {
      expect((await c.run("SELECT INBOX")).status).to.equal("OK");
      for (const bad of ["SEARCH SUBJECT {abc}", "SEARCH SUBJECT {-1}", "SEARCH (SUBJECT x", "SEARCH SUBJECT x)", "SEARCH SUBJECT \"a\u0000b\""]) {
        const reply = await c.run(Buffer.from(bad, "latin1"));
        expect(reply.status, bad).to.equal("BAD");
      }
      const tag = c.nextTag();
      c.send(Buffer.concat([Buffer.from(`${tag} SEARCH SUBJECT {3+}\r\n`), Buffer.from([0x61, 0, 0x62]), Buffer.from("\r\n")]));
      expect((await c.until(tag)).status).to.equal("BAD");
      c.send("\r\n");
      expect(await c.response()).to.match(/^\* BAD /);
      expect((await c.run("NOOP")).status).to.equal("OK");
    } finally {
      c.close();
    }
  });

  it("answers * and out-of-range numbers on an empty mailbox with BAD, UID ranges with nothing", async () => {
    const c = await loggedIn(server.imap);
    try {
      await c.run("SELECT INBOX");
      expect((await c.run("FETCH * FLAGS")).status).to.equal("BAD");
      expect((await c.run("FETCH 1 FLAGS")).status).to.equal("BAD");
      const uid = await c.run("UID FETCH 1:* FLAGS");
      expect(uid.status).to.equal("OK");
      expect(uid.untagged).to.deep.equal([]);
      expect((await c.run("SEARCH ALL")).untagged).to.deep.equal(["* SEARCH"]);
    } finally {
      c.close();
    }
  });

  it("a client that disconnects mid-APPEND leaves nothing behind", async () => {
    const c = await loggedIn(server.imap);
    const tag = c.nextTag();
    c.send(`${tag} APPEND INBOX {1000}\r\n`);
    expect(await c.response()).to.match(/^\+ /);
    // Handed to the kernel before the close, so the server reads half the literal, then the end of the connection.
    await c.send(Buffer.alloc(500, 0x41));
    c.close();
    await sessionsEnded(server, c);
    expect(await inboxCount()).to.equal(0);
    const tmp = join(server.store.root, "alice", "Maildir", "tmp");
    expect(await readdir(tmp)).to.deep.equal([]);
    // And the server still serves.
    const d = await loggedIn(server.imap);
    expect((await d.run("STATUS INBOX (MESSAGES)")).untagged).to.deep.equal(['* STATUS "INBOX" (MESSAGES 0)']);
    d.close();
  });

  it("keeps serving with hundreds of idle sessions open", async () => {
    const idle = await Promise.all(Array.from({ length: 300 }, () => ImapLineClient.connect({ port: server.imap })));
    try {
      for (const c of idle) expect(c.greeting).to.match(/^\* OK /);
      const c = await loggedIn(server.imap);
      expect((await c.run("NOOP")).status).to.equal("OK");
      c.close();
    } finally {
      for (const c of idle) c.close();
    }
  });

  it("ends a session after too many bad commands with BYE", async () => {
    const c = await ImapLineClient.connect({ port: server.imap });
    try {
      for (let i = 0; i < 49; i++) c.send(`b${i} BOGUS\r\n`);
      for (let i = 0; i < 49; i++) expect(await c.response()).to.match(/^b\d+ BAD /);
      c.send("b49 BOGUS\r\n");
      expect(await c.response()).to.match(/^b49 BAD /);
      expect(await c.response()).to.match(/^\* BYE /);
      await c.closed();
    } finally {
      c.close();
    }
  });
});

describe("IMAP session limits", function () {
  it("greets a connection over the server's limit with BYE and closes it; a freed slot is usable again", async () => {
    const server = await startImapServer((config) => {
      config.connections.maxTotal = 2;
    });
    try {
      const a = await ImapLineClient.connect({ port: server.imap });
      const b = await ImapLineClient.connect({ port: server.imaps, tls: true, insecure: true });
      const c = await ImapLineClient.connect({ port: server.imap });
      expect(c.greeting).to.match(/^\* BYE /);
      await c.closed();
      expect((await a.run("LOGOUT")).status).to.equal("OK");
      await a.closed();
      // The refused connection holds its slot until its session ends, as a's does.
      await sessionsEnded(server, a, c);
      const d = await ImapLineClient.connect({ port: server.imap });
      expect(d.greeting).to.match(/^\* OK /);
      for (const x of [a, b, c, d]) x.close();
    } finally {
      await server.stop();
    }
  });

  it("refuses a login over the per-user limit with NO [LIMIT]; the slot frees when a session ends", async () => {
    const server = await startImapServer((config) => {
      config.imap.maxSessionsPerUser = 1;
    });
    try {
      const a = await loggedIn(server.imap);
      const b = await ImapLineClient.connect({ port: server.imap });
      expect((await b.run("LOGIN alice alice-pw")).tagged).to.match(/NO \[LIMIT\]/);
      expect((await b.run("LOGIN bob bob-pw")).status).to.equal("OK");
      a.close();
      await sessionsEnded(server, a);
      const c = await loggedIn(server.imap);
      c.close();
      b.close();
    } finally {
      await server.stop();
    }
  });
});

describe("IMAP TLS, LOGINDISABLED, autologout and shutdown", function () {
  it("STARTTLS discards input pipelined behind it, then the client must ask again", async () => {
    const server = await startImapServer();
    const c = await ImapLineClient.connect({ port: server.imap, insecure: true });
    try {
      expect(c.greeting).to.contain("STARTTLS");
      c.send("s1 STARTTLS\r\ns2 LOGIN alice alice-pw\r\n");
      expect(await c.response()).to.match(/^s1 OK/);
      await c.startTls();
      // Had s2 run, its completion would arrive first, and run() refuses another tag's completion.
      const cap = await c.run("CAPABILITY");
      expect(cap.untagged[0]).not.to.contain("STARTTLS");
      expect(cap.untagged[0]).not.to.contain("LOGINDISABLED");
      expect((await c.run("STARTTLS")).status).to.equal("BAD");
      expect((await c.run("LOGIN alice alice-pw")).status).to.equal("OK");
    } finally {
      c.close();
      await server.stop();
    }
  });

  it("LOGINDISABLED on a clear channel when policy forbids plaintext; LOGIN and PLAIN work after TLS and on IMAPS", async () => {
    const server = await startImapServer((config) => {
      config.auth.plaintextWithoutTls = "never";
    });
    try {
      const c = await ImapLineClient.connect({ port: server.imap, insecure: true });
      const cap = (await c.run("CAPABILITY")).untagged[0]!;
      expect(cap).to.contain("LOGINDISABLED");
      expect(cap).not.to.contain("AUTH=PLAIN");
      expect((await c.run("LOGIN alice alice-pw")).tagged).to.match(/NO \[PRIVACYREQUIRED\]/);
      expect((await c.run("AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXB3")).status).to.equal("NO");
      expect((await c.run("STARTTLS")).status).to.equal("OK");
      await c.startTls();
      expect((await c.run("AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXB3")).status).to.equal("OK");
      c.close();
      const s = await ImapLineClient.connect({ port: server.imaps, tls: true, insecure: true });
      expect(s.greeting).not.to.contain("STARTTLS");
      const tag = s.nextTag();
      s.send(`${tag} AUTHENTICATE PLAIN\r\n`);
      expect(await s.response()).to.equal("+ ");
      s.send("AGFsaWNlAGFsaWNlLXB3\r\n");
      expect((await s.until(tag)).status).to.equal("OK");
      expect((await s.run("SELECT INBOX")).status).to.equal("OK");
      s.close();
    } finally {
      await server.stop();
    }
  });

  it("AUTHENTICATE cancelled with * is BAD; a bad base64 answer is BAD", async () => {
    const server = await startImapServer();
    const c = await ImapLineClient.connect({ port: server.imap });
    try {
      let tag = c.nextTag();
      c.send(`${tag} AUTHENTICATE LOGIN\r\n`);
      expect(await c.response()).to.match(/^\+ /);
      c.send("*\r\n");
      expect((await c.until(tag)).status).to.equal("BAD");
      tag = c.nextTag();
      c.send(`${tag} AUTHENTICATE PLAIN\r\n`);
      expect(await c.response()).to.match(/^\+/);
      c.send("!!!\r\n");
      expect((await c.until(tag)).status).to.equal("BAD");
      expect((await c.run("NOOP")).status).to.equal("OK");
    } finally {
      c.close();
      await server.stop();
    }
  });

  it("requireTls refuses commands before STARTTLS", async () => {
    const server = await startImapServer((config) => {
      config.imap.requireTls = true;
    });
    const c = await ImapLineClient.connect({ port: server.imap, insecure: true });
    try {
      expect((await c.run("LOGIN alice alice-pw")).tagged).to.match(/NO \[PRIVACYREQUIRED\]/);
      expect((await c.run("CAPABILITY")).status).to.equal("OK");
      expect((await c.run("STARTTLS")).status).to.equal("OK");
      await c.startTls();
      expect((await c.run("LOGIN alice alice-pw")).status).to.equal("OK");
    } finally {
      c.close();
      await server.stop();
    }
  });

  it("autologout: an idle session gets BYE and is closed", async () => {
    const server = await startImapServer((config) => {
      config.imap.idleTimeoutMs = 200;
    });
    const c = await ImapLineClient.connect({ port: server.imap });
    try {
      expect(await c.response(2000)).to.match(/^\* BYE /);
      await c.closed();
    } finally {
      c.close();
      await server.stop();
    }
  });

  it("says BYE to every session on shutdown, IDLE ones too", async () => {
    const server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    const c = await loggedIn(server.imap);
    const d = await loggedIn(server.imap);
    await d.run("SELECT INBOX");
    const tag = d.nextTag();
    d.send(`${tag} IDLE\r\n`);
    expect(await d.response()).to.match(/^\+ /);
    const stopping = server.stop();
    expect(await c.response()).to.match(/^\* BYE /);
    expect(await d.response()).to.match(/^\* BYE /);
    await stopping;
    c.close();
    d.close();
  });
});

// FETCH as the engine drives it: \Seen set by BODY[] and RFC822(.TEXT) with
// the new FLAGS reported, never by PEEK, RFC822.HEADER or in a read-only
// mailbox; macros; partials; literals for 8-bit data; message analysis items
// reaching the wire; a message expunged by another session mid-way.
// Standards: RFC 3501 §6.4.5, §7.4.2, RFC 2180 §4.1.2, RFC 5530 (EXPUNGEISSUED).

import { expect } from "chai";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

const MULTIPART = Buffer.from(
  [
    "From: a@example.test",
    "Subject: parts",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=ISO-8859-1",
    "Content-Transfer-Encoding: 8bit",
    "",
    "Grüße",
    "--b",
    "Content-Type: application/octet-stream",
    "Content-Transfer-Encoding: base64",
    "",
    "AAEC",
    "--b--",
    "",
  ].join("\r\n"),
  "latin1",
);

describe("IMAP FETCH", function () {
  let server: ImapTestServer;
  let c: ImapLineClient;
  beforeEach(async () => {
    server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    await server.store.deliver("alice", MULTIPART);
    c = await loggedIn(server.imap);
  });
  afterEach(async () => {
    c.close();
    await server.stop();
  });

  async function seen(n: number): Promise<boolean> {
    const r = await c.run(`FETCH ${n} FLAGS`);
    return r.untagged[0]!.includes("\\Seen");
  }

  it("PEEK, RFC822.HEADER and RFC822.SIZE leave \\Seen alone; BODY[] and RFC822.TEXT set it and report FLAGS", async () => {
    await c.run("SELECT INBOX");
    await c.run("FETCH 1 (BODY.PEEK[] RFC822.HEADER RFC822.SIZE BODY.PEEK[TEXT]<0.4>)");
    expect(await seen(1)).to.equal(false);
    const text = await c.run("FETCH 1 RFC822.TEXT");
    expect(text.untagged[0]).to.match(/^\* 1 FETCH \(RFC822\.TEXT "body of message 1\\r\\n"|^\* 1 FETCH \(RFC822\.TEXT \{\d+\}\r\nbody of message 1\r\n FLAGS \(\\Seen \\Recent\)\)$/);
    expect(text.untagged[0]).to.contain("FLAGS (\\Seen \\Recent)");
    const second = await c.run("FETCH 2 BODY[1]");
    expect(second.untagged[0]).to.match(/^\* 2 FETCH \(BODY\[1\] \{5\}\r\nGr\xfc\xdfe FLAGS \(\\Seen \\Recent\)\)$/);
  });

  it("does not set \\Seen in a mailbox opened with EXAMINE", async () => {
    await c.run("EXAMINE INBOX");
    const r = await c.run("FETCH 1 BODY[]");
    expect(r.untagged[0]).not.to.contain("FLAGS");
    await c.run("SELECT INBOX");
    expect(await seen(1)).to.equal(false);
  });

  it("expands ALL, FAST and FULL, and UID FETCH always carries UID", async () => {
    await c.run("EXAMINE INBOX");
    const all = (await c.run("FETCH 1 ALL")).untagged[0]!;
    expect(all).to.match(/^\* 1 FETCH \(FLAGS \(.*\) INTERNALDATE ".*" RFC822\.SIZE \d+ ENVELOPE \(/);
    const full = (await c.run("FETCH 2 FULL")).untagged[0]!;
    expect(full).to.match(/ BODY \(\(/);
    expect((await c.run("UID FETCH 2 RFC822.SIZE")).untagged[0]).to.match(/^\* 2 FETCH \(UID 2 RFC822\.SIZE \d+\)$/);
  });

  it("returns ENVELOPE, BODYSTRUCTURE and section parts from message analysis", async () => {
    await c.run("EXAMINE INBOX");
    const r = await c.run("FETCH 2 (ENVELOPE BODYSTRUCTURE BODY.PEEK[2.MIME] BODY.PEEK[3])");
    const line = r.untagged[0]!;
    expect(line).to.contain('ENVELOPE (NIL "parts" (');
    expect(line).to.match(/BODYSTRUCTURE \(\("text" "plain" \("charset" "ISO-8859-1"\) NIL NIL "8bit" 5 \d+ /i);
    expect(line).to.match(/BODY\[2\.MIME\] \{\d+\}\r\nContent-Type: application\/octet-stream\r\n/);
    expect(line).to.contain('BODY[3] ""');
  });

  it("streams many large bodies to a client that reads slowly, each intact", async () => {
    const big = (n: number) => Buffer.concat([Buffer.from(`Subject: big ${n}\r\n\r\n`), Buffer.alloc(1 << 20, 0x61 + n), Buffer.from("\r\n")]);
    for (let n = 0; n < 6; n++) await server.store.deliver("alice", big(n));
    await c.run("EXAMINE INBOX");
    const socket = (c as unknown as { socket: import("node:net").Socket }).socket;
    socket.pause();
    const tag = c.nextTag();
    c.send(`${tag} FETCH 3:* BODY.PEEK[TEXT]\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.resume();
    const reply = await c.until(tag, 10_000);
    expect(reply.status).to.equal("OK");
    expect(reply.untagged).to.have.length(6);
    reply.untagged.forEach((line, i) => {
      expect(line.startsWith(`* ${i + 3} FETCH (BODY[TEXT] {${(1 << 20) + 2}}\r\n`), line.slice(0, 60)).to.equal(true);
      expect(line.charCodeAt(60)).to.equal(0x61 + i);
    });
  });

  it("skips a message another session expunged and ends OK [EXPUNGEISSUED]; NOOP then reports the EXPUNGE", async () => {
    await c.run("SELECT INBOX");
    const other = await loggedIn(server.imap);
    await other.run("SELECT INBOX");
    await other.run("STORE 1 +FLAGS.SILENT (\\Deleted)");
    await other.run("EXPUNGE");
    other.close();
    const r = await c.run("FETCH 1:2 BODY.PEEK[HEADER]");
    expect(r.tagged).to.match(/OK \[EXPUNGEISSUED\]/);
    expect(r.untagged).to.have.length(1);
    expect(r.untagged[0]).to.match(/^\* 2 FETCH/);
    expect((await c.run("NOOP")).untagged).to.deep.equal(["* 1 EXPUNGE"]);
  });
});

// The reference server's IMAP4rev2 (RFC 9051) beyond what the suites can
// demand: a session is IMAP4rev1 until ENABLE IMAP4rev2, and after it sends no
// RECENT and no \Recent (deprecated, Appendix E item 12, so no suite test may
// insist), answers SEARCH in ESEARCH form, adds a LIST response to SELECT and
// takes and writes mailbox names in UTF-8 (without turning on UTF8=ACCEPT's rules).
// imapflow, which enables IMAP4rev2 by itself where both revisions are
// advertised, logs in and works in rev2 mode.
// Standards: RFC 9051 §5.1, §6.1.1, §6.3.1, §6.3.2, §6.3.11, §6.4.4, Appendix E; RFC 3501 §2.3.2, §7.3.2; RFC 6855 §4.

import { expect } from "chai";
import { ImapFlow } from "imapflow";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

describe("reference-server imap: IMAP4rev2 after ENABLE", () => {
  let server: ImapTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it("advertises both revisions and stays IMAP4rev1 without ENABLE: RECENT, \\Recent, SEARCH, no LIST", async () => {
    server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    const c = await loggedIn(server.imap);
    try {
      const capability = (await c.run("CAPABILITY")).untagged.join("\n");
      expect(capability).to.match(/^\* CAPABILITY IMAP4rev1 IMAP4rev2 /);
      const selected = await c.run("SELECT INBOX");
      expect(selected.untagged).to.include("* 1 RECENT");
      expect(selected.untagged.some((line) => line.startsWith("* LIST "))).to.equal(false);
      expect((await c.run("FETCH 1 (FLAGS)")).untagged).to.deep.equal(["* 1 FETCH (FLAGS (\\Recent))"]);
      expect((await c.run("SEARCH ALL")).untagged).to.deep.equal(["* SEARCH 1"]);
    } finally {
      c.close();
    }
  });

  it("after ENABLE IMAP4rev2: no RECENT or \\Recent, a LIST on SELECT, ESEARCH for SEARCH, UID in pushed FETCH", async () => {
    server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    const c = await loggedIn(server.imap);
    const other = await loggedIn(server.imap);
    try {
      expect((await c.run("ENABLE IMAP4rev2")).untagged).to.deep.equal(["* ENABLED IMAP4REV2"]);
      // ENABLE again turns on nothing new (RFC 9051 §6.3.1).
      expect((await c.run("ENABLE IMAP4rev2")).untagged).to.deep.equal(["* ENABLED"]);
      const selected = await c.run("SELECT INBOX");
      expect(selected.untagged.filter((line) => / RECENT$/.test(line))).to.deep.equal([]);
      expect(selected.untagged).to.include('* LIST (\\HasNoChildren) "/" "INBOX"');
      expect(selected.untagged.join("\n")).not.to.contain("\\Recent");
      expect((await c.run("FETCH 1 (FLAGS)")).untagged).to.deep.equal(["* 1 FETCH (FLAGS ())"]);
      const tagged = await c.run("SEARCH ALL");
      expect(tagged.untagged).to.have.length(1);
      expect(tagged.untagged[0]).to.match(/^\* ESEARCH \(TAG "[^"]+"\) ALL 1$/);
      expect((await c.run("UID SEARCH UID 999")).untagged[0]).to.match(/^\* ESEARCH \(TAG "[^"]+"\) UID$/);

      // A message arriving while selected: EXISTS without RECENT; another session's flag change with UID.
      await server.store.deliver("alice", sampleMessage(2));
      expect((await other.run("SELECT INBOX")).status).to.equal("OK");
      expect((await other.run("STORE 1 +FLAGS.SILENT (\\Flagged)")).status).to.equal("OK");
      const noop = await c.run("NOOP");
      expect(noop.untagged).to.include("* 2 EXISTS");
      expect(noop.untagged.filter((line) => / RECENT$/.test(line))).to.deep.equal([]);
      expect(noop.untagged).to.include("* 1 FETCH (UID 1 FLAGS (\\Flagged))");
      expect((await c.run("FETCH 2 (FLAGS)")).untagged).to.deep.equal(["* 2 FETCH (FLAGS ())"]);

      expect((await c.run("STORE 2 +FLAGS.SILENT (\\Deleted)")).status).to.equal("OK");
      expect((await c.run("STATUS INBOX (DELETED MESSAGES)")).untagged).to.deep.equal([`* STATUS "INBOX" (DELETED 1 MESSAGES 2)`]);
    } finally {
      c.close();
      other.close();
    }
  });

  it("IMAP4rev2 without UTF8=ACCEPT: UTF-8 mailbox names both ways, SEARCH CHARSET allowed, APPEND UTF8 not", async () => {
    server = await startImapServer();
    const c = await loggedIn(server.imap);
    const rev1 = await loggedIn(server.imap);
    try {
      expect((await c.run("ENABLE IMAP4rev2")).untagged).to.deep.equal(["* ENABLED IMAP4REV2"]);
      expect((await c.run(Buffer.from('CREATE "Bücher"', "utf8"))).status).to.equal("OK");
      const listed = await c.run('LIST "" "B*"');
      // The name as a string with UTF-8 in it (the server writes 8-bit text as a literal).
      expect(Buffer.from(listed.untagged[0]!, "latin1").toString("utf8")).to.equal('* LIST (\\HasNoChildren) "/" {7}\r\nBücher');
      // The same mailbox, for a session still in IMAP4rev1: modified UTF-7 (RFC 3501 §5.1.3).
      expect((await rev1.run('LIST "" "B*"')).untagged).to.deep.equal(['* LIST (\\HasNoChildren) "/" "B&APw-cher"']);
      expect((await c.run(Buffer.from('SELECT "Bücher"', "utf8"))).status).to.equal("OK");
      expect((await c.run("SEARCH CHARSET US-ASCII ALL")).status).to.equal("OK");
      expect((await c.run("SEARCH CHARSET UTF-8 ALL")).status).to.equal("OK");
      // APPEND's UTF8 item belongs to UTF8=ACCEPT (RFC 6855 §4), which this session did not enable.
      expect((await c.run('APPEND INBOX UTF8 (~{5+}\r\nhello)')).status).to.equal("BAD");
    } finally {
      c.close();
      rev1.close();
    }
  });

  it("imapflow enables IMAP4rev2 by itself and works in rev2 mode: open, search, fetch, status, list", async () => {
    server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    await server.store.deliver("alice", sampleMessage(2));
    const client = new ImapFlow({ host: "127.0.0.1", port: server.imap, secure: false, auth: { user: "alice", pass: "alice-pw" }, logger: false, tls: { rejectUnauthorized: false } });
    await client.connect();
    try {
      expect([...client.enabled].map((name) => name.toUpperCase())).to.include("IMAP4REV2");
      const lock = await client.getMailboxLock("INBOX");
      try {
        expect(client.mailbox && client.mailbox.exists).to.equal(2);
        expect(await client.search({ all: true })).to.deep.equal([1, 2]);
        await client.messageFlagsAdd("2", ["\\Deleted"]);
        expect(await client.search({ deleted: true }, { uid: true })).to.deep.equal([2]);
        const flags = [];
        for await (const message of client.fetch("1:*", { flags: true, uid: true })) flags.push([...(message.flags ?? [])]);
        expect(flags).to.deep.equal([[], ["\\Deleted"]]);
      } finally {
        lock.release();
      }
      const status = await client.status("INBOX", { messages: true, deleted: true, size: true } as Parameters<ImapFlow["status"]>[1]);
      expect(status).to.include({ messages: 2, deleted: 1 });
      expect((status as { size?: number }).size).to.equal(sampleMessage(1).length + sampleMessage(2).length);
      const listed = await client.list();
      expect(listed.map((m) => m.path)).to.include("INBOX");
    } finally {
      await client.logout();
    }
  });
});

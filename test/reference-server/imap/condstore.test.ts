// CONDSTORE and QRESYNC (RFC 7162) end to end: imapflow, a client that
// negotiates them, selects with CONDSTORE, fetches CHANGEDSINCE, stores
// UNCHANGEDSINCE and resynchronizes with SELECT (QRESYNC ...) against the
// reference server; and HIGHESTMODSEQ read over IMAP after the server was
// stopped and started again on the same Maildir is not lower than before.
// Standards: RFC 7162 §3.1.2.1, §3.1.3, §3.1.4.1, §3.2.5.1.

import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow, type ExpungeEvent } from "imapflow";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { testDataDir } from "../support/server.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

describe("IMAP CONDSTORE and QRESYNC", function () {
  this.timeout(30_000);

  describe("imapflow", () => {
    let server: ImapTestServer;
    beforeEach(async () => {
      server = await startImapServer();
    });
    afterEach(async () => server.stop());

    function flow(): ImapFlow {
      return new ImapFlow({ host: "127.0.0.1", port: server.imap, secure: false, auth: { user: "alice", pass: "alice-pw" }, logger: false, qresync: true, tls: { rejectUnauthorized: false } });
    }

    it("opens with HIGHESTMODSEQ, fetches CHANGEDSINCE, refuses a stale UNCHANGEDSINCE, resynchronizes with QRESYNC", async () => {
      for (let n = 1; n <= 3; n++) await server.store.deliver("alice", sampleMessage(n));
      const client = flow();
      await client.connect();
      try {
        expect(client.enabled.has("QRESYNC")).to.equal(true);
        const opened = await client.mailboxOpen("INBOX");
        expect(opened.noModseq ?? false).to.equal(false);
        const since = opened.highestModseq!;
        expect(typeof since).to.equal("bigint");

        expect(await client.messageFlagsAdd("2", ["\\Flagged"])).to.equal(true);
        const changed = [];
        for await (const m of client.fetch("1:*", { uid: true, flags: true }, { changedSince: since })) changed.push(m);
        expect(changed.map((m) => m.seq)).to.deep.equal([2]);
        expect(changed[0]!.modseq! > since).to.equal(true);

        // Message 2 changed after `since`: a conditional store must leave it alone.
        await client.messageFlagsAdd("1:2", ["\\Answered"], { unchangedSince: since });
        const flags = new Map<number, Set<string>>();
        for await (const m of client.fetch("1:2", { flags: true })) flags.set(m.seq, m.flags!);
        expect([...flags.get(1)!]).to.include("\\Answered");
        expect([...flags.get(2)!]).to.not.include("\\Answered");

        const uidValidity = opened.uidValidity;
        const highest = client.mailbox ? client.mailbox.highestModseq! : since;
        expect(await client.messageDelete("1")).to.equal(true);
        await client.mailboxClose();

        // A second client comes back with what the first one knew.
        const later = flow();
        await later.connect();
        try {
          const expunged: ExpungeEvent[] = [];
          later.on("expunge", (event: ExpungeEvent) => expunged.push(event));
          const reopened = await later.mailboxOpen("INBOX", { uidValidity, changedSince: highest });
          expect(reopened.highestModseq! > highest).to.equal(true);
          expect(expunged.map((e) => [e.uid, e.vanished, e.earlier])).to.deep.equal([[1, true, true]]);
        } finally {
          await later.logout();
        }
      } finally {
        await client.logout().catch(() => undefined);
      }
    });
  });

  describe("arguments and answers", () => {
    let server: ImapTestServer;
    beforeEach(async () => {
      server = await startImapServer();
      for (let n = 1; n <= 5; n++) await server.store.deliver("alice", sampleMessage(n));
    });
    afterEach(async () => server.stop());

    it("refuses malformed or misplaced CONDSTORE/QRESYNC arguments with BAD", async () => {
      const c = await loggedIn(server.imap);
      try {
        expect((await c.run("SELECT INBOX (FOO)")).status).to.equal("BAD");
        expect((await c.run("SELECT INBOX (QRESYNC (1 1))")).status, "QRESYNC before ENABLE").to.equal("BAD");
        expect((await c.run("ENABLE QRESYNC")).untagged).to.deep.equal(["* ENABLED QRESYNC"]);
        expect((await c.run("SELECT INBOX (QRESYNC (1 0))")).status, "mod-sequence-value is not 0").to.equal("BAD");
        expect((await c.run("SELECT INBOX (QRESYNC (1 1 1:*))")).status, '"*" in known-uids').to.equal("BAD");
        expect((await c.run("SELECT INBOX (QRESYNC (1 1 1:5 (1:2 1)))")).status, "seq-match-data of unequal size").to.equal("BAD");
        expect((await c.run("SELECT INBOX (CONDSTORE)")).status).to.equal("OK");
        expect((await c.run("FETCH 1 (FLAGS) (CHANGEDSINCE 0)")).status).to.equal("BAD");
        expect((await c.run("FETCH 1 (FLAGS) (CHANGEDSINCE 99999999999999999999)")).status).to.equal("BAD");
        expect((await c.run("FETCH 1 (FLAGS) (BOGUS 1)")).status).to.equal("BAD");
        expect((await c.run("STORE 1 (CHANGEDSINCE 1) +FLAGS (\\Seen)")).status).to.equal("BAD");
      } finally {
        c.close();
      }
    });

    it("UNCHANGEDSINCE 0 changes nothing and names every message in MODIFIED", async () => {
      const c = await loggedIn(server.imap);
      try {
        await c.run("SELECT INBOX");
        const r = await c.run("STORE 2:4 (UNCHANGEDSINCE 0) +FLAGS (\\Seen)");
        expect(r.tagged).to.match(/^\S+ OK \[MODIFIED 2:4\]/);
        expect(r.untagged).to.deep.equal([]);
        const uid = await c.run("UID STORE 1:* (UNCHANGEDSINCE 0) +FLAGS (\\Seen)");
        expect(uid.tagged).to.match(/^\S+ OK \[MODIFIED 1:5\]/);
      } finally {
        c.close();
      }
    });

    it("SELECT (QRESYNC) leaves out expunges below a seq-match-data pair that still matches", async () => {
      const c = await loggedIn(server.imap);
      try {
        await c.run("ENABLE QRESYNC");
        const selected = await c.run("SELECT INBOX");
        const uv = /UIDVALIDITY (\d+)/.exec(selected.untagged.join("\n"))![1];
        const hms = /HIGHESTMODSEQ (\d+)/.exec(selected.untagged.join("\n"))![1];
        await c.run("STORE 1,4 +FLAGS.SILENT (\\Deleted)");
        expect((await c.run("EXPUNGE")).untagged).to.include("* VANISHED 1,4");
        // Now 1:3 hold UIDs 2,3,5. The pair (1 → 2) matches, so UID 1's expunge is known; (3 → 4) does not.
        const resync = await c.run(`SELECT INBOX (QRESYNC (${uv} ${hms} 1:5 (1,3 2,4)))`);
        expect(resync.untagged).to.include("* VANISHED (EARLIER) 4");
        const plain = await c.run(`SELECT INBOX (QRESYNC (${uv} ${hms} 1:5))`);
        expect(plain.untagged).to.include("* VANISHED (EARLIER) 1,4");
        expect(plain.untagged[0]).to.match(/^\* OK \[CLOSED\]/);
      } finally {
        c.close();
      }
    });
  });

  describe("persistence", () => {
    let mailRoot: string;
    let running: RunningServer | null = null;
    let store: Awaited<ReturnType<typeof openMaildirStore>>;
    beforeEach(async () => {
      mailRoot = await mkdtemp(join(tmpdir(), "mailconform-modseq-"));
    });
    afterEach(async () => {
      await running?.close();
      running = null;
      await rm(mailRoot, { recursive: true, force: true });
    });

    async function start(): Promise<number> {
      const config = defaultConfig();
      config.auth.failureDelayMs = 0;
      store = await openMaildirStore(mailRoot);
      running = await startServer({ config, dataDir: await testDataDir(), portBase: "ephemeral", store });
      return running.ports.imap!;
    }

    async function highestModseq(port: number, change: boolean): Promise<bigint> {
      const c = await loggedIn(port);
      try {
        const selected = await c.run("SELECT INBOX (CONDSTORE)");
        expect(selected.status).to.equal("OK");
        if (change) expect((await c.run("STORE 1 +FLAGS (\\Seen)")).status).to.equal("OK");
        const again = await c.run("EXAMINE INBOX (CONDSTORE)");
        const code = again.untagged.map((u) => /^\* OK \[HIGHESTMODSEQ (\d+)\]/.exec(u)).find((m) => m !== null);
        expect(code, again.untagged.join("\n")).to.not.equal(undefined);
        return BigInt(code![1]!);
      } finally {
        c.close();
      }
    }

    it("HIGHESTMODSEQ read over IMAP after a restart on the same Maildir is not lower, and grows with the next change", async () => {
      const first = await start();
      await store.deliver("alice", sampleMessage(1));
      const before = await highestModseq(first, true);
      await running!.close();
      running = null;

      const second = await start();
      const after = await highestModseq(second, false);
      expect(after >= before).to.equal(true);
      const c = await loggedIn(second);
      expect((await c.run("SELECT INBOX")).status).to.equal("OK");
      expect((await c.run("STORE 1 -FLAGS (\\Seen)")).status).to.equal("OK");
      c.close();
      expect((await highestModseq(second, false)) > after).to.equal(true);
    });
  });
});

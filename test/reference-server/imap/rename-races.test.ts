// A tagged NO means nothing changed (issue 13, items 4 and 5): APPEND, UID
// COPY and UID MOVE racing a RENAME of their target by another session of the
// same user never answer NO for a message they stored (before the fix: 602
// of 1,199 APPENDs in 10 s), a MOVE never leaves a message in both mailboxes,
// and a refused or failed CREATE leaves no superiors behind.
// Standards: RFC 3501 §6.3.3, §6.3.5, §6.3.11, §6.4.7; RFC 6851 §3; RFC 4315.

import { expect } from "chai";
import { diskError, injectDiskFaults } from "../../../reference-server/store/disk-faults.ts";
import type { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { loggedIn, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

const message = (id: string) => `From: a@example.test\r\nSubject: ${id}\r\nMessage-ID: <${id}>\r\n\r\nbody ${id}\r\n`;

describe("IMAP: mutations racing RENAME, and CREATE", function () {
  let server: ImapTestServer;
  const clients: ImapLineClient[] = [];
  const client = async () => {
    const c = await loggedIn(server.imap);
    clients.push(c);
    return c;
  };
  beforeEach(async () => {
    server = await startImapServer();
  });
  afterEach(async () => {
    injectDiskFaults(null);
    for (const c of clients.splice(0)) c.close();
    await server.stop();
  });

  /** Message-ID → the mailboxes holding it, read from the store itself. */
  async function whereabouts(): Promise<Map<string, string[]>> {
    const where = new Map<string, string[]>();
    for (const name of await server.store.listMailboxes("alice")) {
      const box = await server.store.mailbox("alice", name);
      for (const m of (await box.status()).messages) {
        const id = /Message-ID: <([^>]+)>/.exec((await box.read(m.uid)).toString())?.[1];
        if (id) where.set(id, [...(where.get(id) ?? []), name]);
      }
    }
    return where;
  }

  it("APPEND, UID COPY and UID MOVE answer NO only when nothing was stored, while another session renames the target", async function () {
    this.timeout(60_000);
    const setup = await client();
    expect((await setup.run("CREATE F0")).status).to.equal("OK");
    let done = false;
    let renames = 0;
    const renamer = (async () => {
      const c = await client();
      let [from, to] = ["F0", "F1"];
      while (!done) {
        if ((await c.run(`RENAME ${from} ${to}`)).status === "OK") [from, to] = [to, from];
        renames += 1;
      }
    })();
    const outcomes: { id: string; verb: string; status: string }[] = [];
    // The target alternates between the two names by count, not by chance: half of them race.
    const appender = async (k: number) => {
      const c = await client();
      for (let i = 0; i < 40; i++) {
        const id = `append-${k}-${i}`;
        outcomes.push({ id, verb: "APPEND", status: (await c.run(`APPEND F${(i + k) % 2}`, message(id))).status });
      }
    };
    const mover = async (k: number, verb: "MOVE" | "COPY") => {
      const c = await client();
      await c.run(`CREATE Src${k}`);
      for (let i = 0; i < 20; i++) {
        const id = `${verb}-${k}-${i}`;
        const appended = await c.run(`APPEND Src${k}`, message(id));
        const uid = /APPENDUID \d+ (\d+)/.exec(appended.tagged)![1];
        await c.run(`SELECT Src${k}`);
        outcomes.push({ id, verb, status: (await c.run(`UID ${verb} ${uid} F${i % 2}`)).status });
        await c.run("UNSELECT");
      }
    };
    await Promise.all([appender(0), appender(1), appender(2), mover(0, "MOVE"), mover(1, "MOVE"), mover(2, "COPY")]);
    done = true;
    await renamer;
    expect(renames).to.be.greaterThan(0);
    const where = await whereabouts();
    const targets = (id: string) => (where.get(id) ?? []).filter((name) => /^F[01]$/.test(name)).length;
    const wrong = outcomes.filter(({ id, verb, status }) => {
      const stored = targets(id);
      const sources = (where.get(id) ?? []).length - stored;
      if (status !== "OK") return stored !== 0 || (verb !== "APPEND" && sources !== 1);
      // OK: exactly one copy in the target; a MOVE left none behind, a COPY kept its original.
      return stored !== 1 || sources !== (verb === "COPY" ? 1 : 0);
    });
    expect(wrong, JSON.stringify(wrong.slice(0, 5))).to.deep.equal([]);
    expect(outcomes.filter((o) => o.status === "NO").length, "some of them lost the race").to.be.greaterThan(0);
    expect(outcomes.filter((o) => o.status === "OK").length, "some of them won it").to.be.greaterThan(0);
  });

  it("a refused CREATE leaves no superiors behind", async () => {
    const c = await client();
    const before = await server.store.listMailboxes("alice");
    for (const name of ['"Q4/a/b/.."', '"Q5/./x"', '"S1//x"', `R1/R2/${"x".repeat(300)}`]) {
      const r = await c.run(`CREATE ${name}`);
      expect(r.status, r.tagged).to.equal("NO");
      expect(r.tagged).to.match(/NO \[CANNOT\]/);
    }
    expect(await server.store.listMailboxes("alice")).to.deep.equal(before);
    expect((await c.run("CREATE Q4/a/b")).status).to.equal("OK");
    expect((await server.store.listMailboxes("alice")).filter((n) => n.startsWith("Q4"))).to.deep.equal(["Q4", "Q4/a", "Q4/a/b"]);
  });

  it("a CREATE that fails on the disk halfway takes back the superiors it made", async () => {
    const c = await client();
    const before = await server.store.listMailboxes("alice");
    // The last level's directory cannot be made durable: its superiors were already created.
    injectDiskFaults((operation, file) => (operation === "sync" && file.endsWith(".T1.a.b") ? diskError("EIO", "fsync", file) : null));
    const r = await c.run("CREATE T1/a/b");
    expect(r.tagged).to.match(/NO \[SERVERBUG\]/);
    injectDiskFaults(null);
    expect(await server.store.listMailboxes("alice")).to.deep.equal(before);
  });
});

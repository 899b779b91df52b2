// QUOTA with small configured limits: GETQUOTAROOT / GETQUOTA report usage in
// units of 1024 octets and in messages; APPEND and COPY that would go over a
// limit get NO [OVERQUOTA] and store nothing; MOVE (same root) is not
// refused; STATUS DELETED-STORAGE; no limit configured gives an empty list;
// SETQUOTA within the configured limits (and the empty list where none is configured).
// Standards: RFC 9208 §4.1.1, §4.1.2, §4.1.3, §4.1.4, §4.2.1, §4.3.1, §5.1, §5.2.

import { expect } from "chai";
import { parseConfig } from "../../../reference-server/config/load.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

describe("IMAP QUOTA", function () {
  it("reads imap.quota from the config file: a resource left out stays unlimited", () => {
    expect(parseConfig("imap:\n  quota:\n    storageKiB: 10\n", "server.yaml").imap.quota).to.deep.equal({ storageKiB: 10, messages: null });
    expect(() => parseConfig("imap:\n  quota:\n    storage: 10\n", "server.yaml")).to.throw(/server.yaml:3:5: unknown key "storage" in imap.quota/);
  });

  describe("with limits of 2 KiB and 3 messages", function () {
    let server: ImapTestServer;
    beforeEach(async () => {
      server = await startImapServer((config) => {
        config.imap.quota = { storageKiB: 2, messages: 3 };
      });
    });
    afterEach(async () => server.stop());

    async function count(name: string): Promise<number> {
      return (await (await server.store.mailbox("alice", name)).status()).messages.length;
    }

    it("advertises QUOTA with both resources and QUOTASET", async () => {
      const c = await loggedIn(server.imap);
      try {
        const caps = (await c.run("CAPABILITY")).untagged[0]!.split(" ");
        expect(caps).to.include.members(["QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET"]);
      } finally {
        c.close();
      }
    });

    it("SETQUOTA lowers the limits within the configured ones: QUOTA shows them, APPEND over them gets NO [OVERQUOTA]", async () => {
      const c = await loggedIn(server.imap);
      try {
        const set = await c.run('SETQUOTA "" (STORAGE 1 MESSAGE 3)');
        expect(set.status).to.equal("OK");
        expect(set.untagged).to.deep.equal(['* QUOTA "" (STORAGE 0 1 MESSAGE 0 3)']);
        // 1.5 KiB fits the configured 2 KiB but not the 1 KiB just set.
        const message = Buffer.concat([sampleMessage(1), Buffer.from("x".repeat(1500) + "\r\n")]);
        expect((await c.run("APPEND INBOX", message)).tagged).to.match(/ NO \[OVERQUOTA\]/);
        expect(await count("INBOX")).to.equal(0);
        // Another session of the user sees the same limits.
        const other = await loggedIn(server.imap);
        try {
          expect((await other.run('GETQUOTA ""')).untagged).to.deep.equal(['* QUOTA "" (STORAGE 0 1 MESSAGE 0 3)']);
        } finally {
          other.close();
        }
        // Back to the configured limits, and the message fits.
        expect((await c.run('SETQUOTA "" (STORAGE 2 MESSAGE 3)')).status).to.equal("OK");
        expect((await c.run("APPEND INBOX", message)).status).to.equal("OK");
      } finally {
        c.close();
      }
    });

    it("SETQUOTA refuses to raise a configured limit, to drop a configured resource, or an unknown resource; BAD for bad syntax", async () => {
      const c = await loggedIn(server.imap);
      try {
        expect((await c.run('SETQUOTA "" (STORAGE 3 MESSAGE 3)')).status).to.equal("NO");
        // RFC 9208 §4.1.3: resources left out are discarded, which would leave MESSAGE unlimited.
        expect((await c.run('SETQUOTA "" (STORAGE 1)')).status).to.equal("NO");
        expect((await c.run('SETQUOTA "" (STORAGE 1 MESSAGE 3 MAILBOX 5)')).status).to.equal("NO");
        expect((await c.run('SETQUOTA "other" (STORAGE 1 MESSAGE 3)')).tagged).to.match(/NO \[NONEXISTENT\]/);
        for (const bad of ['SETQUOTA "" STORAGE 1', 'SETQUOTA "" (STORAGE)', 'SETQUOTA "" (STORAGE -1)', 'SETQUOTA "" (STORAGE 1 STORAGE 1)', 'SETQUOTA ""']) {
          expect((await c.run(bad)).status, bad).to.equal("BAD");
        }
        expect((await c.run('GETQUOTA ""')).untagged).to.deep.equal(['* QUOTA "" (STORAGE 0 2 MESSAGE 0 3)']);
      } finally {
        c.close();
      }
    });

    it("reports usage rounded up to units of 1024 octets, and the message count", async () => {
      const c = await loggedIn(server.imap);
      try {
        const message = sampleMessage(1);
        expect((await c.run("APPEND INBOX", message)).status).to.equal("OK");
        const root = await c.run("GETQUOTAROOT INBOX");
        expect(root.status).to.equal("OK");
        expect(root.untagged).to.deep.equal(['* QUOTAROOT "INBOX" ""', `* QUOTA "" (STORAGE ${Math.ceil(message.length / 1024)} 2 MESSAGE 1 3)`]);
        expect((await c.run('GETQUOTA ""')).untagged).to.deep.equal([root.untagged[1]]);
        expect((await c.run('GETQUOTA "other"')).tagged).to.match(/NO \[NONEXISTENT\]/);
        expect((await c.run("GETQUOTAROOT nosuch")).tagged).to.match(/NO \[NONEXISTENT\]/);
      } finally {
        c.close();
      }
    });

    it("refuses an APPEND over the STORAGE limit with NO [OVERQUOTA] and stores none of a MULTIAPPEND", async () => {
      const c = await loggedIn(server.imap);
      try {
        const big = Buffer.concat([sampleMessage(1), Buffer.from("x".repeat(2100) + "\r\n")]);
        const reply = await c.run("APPEND INBOX", big);
        expect(reply.tagged).to.match(/ NO \[OVERQUOTA\]/);
        expect(await count("INBOX")).to.equal(0);
        // Three small messages fit one at a time, but four in one command exceed MESSAGE: none is kept.
        const small = sampleMessage(2);
        const tag = c.nextTag();
        const four = Array.from({ length: 4 }, () => `{${small.length}+}\r\n${small.toString("latin1")}`).join(" ");
        c.send(Buffer.from(`${tag} APPEND INBOX ${four}\r\n`, "latin1"));
        expect((await c.until(tag)).tagged).to.match(/ NO \[OVERQUOTA\]/);
        expect(await count("INBOX")).to.equal(0);
      } finally {
        c.close();
      }
    });

    it("refuses a COPY over the MESSAGE limit, but lets MOVE through (same quota root)", async () => {
      const c = await loggedIn(server.imap);
      try {
        expect((await c.run("CREATE other")).status).to.equal("OK");
        for (const n of [1, 2]) expect((await c.run("APPEND INBOX", sampleMessage(n))).status).to.equal("OK");
        expect((await c.run("SELECT INBOX")).status).to.equal("OK");
        expect((await c.run("COPY 1:2 other")).tagged).to.match(/ NO \[OVERQUOTA\]/);
        expect(await count("other")).to.equal(0);
        expect((await c.run("COPY 1 other")).status).to.equal("OK");
        expect((await c.run("MOVE 1:2 other")).status).to.equal("OK");
        expect([await count("INBOX"), await count("other")]).to.deep.equal([0, 3]);
      } finally {
        c.close();
      }
    });

    it("answers STATUS DELETED-STORAGE with the octets EXPUNGE would free", async () => {
      const c = await loggedIn(server.imap);
      try {
        const deleted = sampleMessage(2);
        expect((await c.run("APPEND INBOX", sampleMessage(1))).status).to.equal("OK");
        expect((await c.run("APPEND INBOX (\\Deleted)", deleted)).status).to.equal("OK");
        expect((await c.run("STATUS INBOX (DELETED-STORAGE DELETED)")).untagged).to.deep.equal([`* STATUS "INBOX" (DELETED-STORAGE ${deleted.length} DELETED 1)`]);
      } finally {
        c.close();
      }
    });
  });

  it("with no limit configured, lists the root with an empty resource list and refuses nothing", async () => {
    const server = await startImapServer();
    const c = await loggedIn(server.imap);
    try {
      expect((await c.run("GETQUOTAROOT INBOX")).untagged).to.deep.equal(['* QUOTAROOT "INBOX" ""', '* QUOTA "" ()']);
      expect((await c.run("APPEND INBOX", Buffer.alloc(64 * 1024, "a"))).status).to.equal("OK");
    } finally {
      c.close();
      await server.stop();
    }
  });

  it("with no limit configured, SETQUOTA sets a MESSAGE limit that APPEND then meets, and SETQUOTA () lifts it", async () => {
    const server = await startImapServer();
    const c = await loggedIn(server.imap);
    try {
      expect((await c.run('SETQUOTA "" (MESSAGE 1)')).untagged).to.deep.equal(['* QUOTA "" (MESSAGE 0 1)']);
      expect((await c.run("APPEND INBOX", sampleMessage(1))).status).to.equal("OK");
      expect((await c.run("APPEND INBOX", sampleMessage(2))).tagged).to.match(/ NO \[OVERQUOTA\]/);
      expect((await c.run('SETQUOTA "" ()')).untagged).to.deep.equal(['* QUOTA "" ()']);
      expect((await c.run("APPEND INBOX", sampleMessage(2))).status).to.equal("OK");
    } finally {
      c.close();
      await server.stop();
    }
  });
});

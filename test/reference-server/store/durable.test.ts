// The store's one durability switch (store/durable.ts, config
// store.durable): a durable server — the default — syncs what it
// acknowledges (fsync(2), O_DSYNC opens), a throwaway one syncs nothing and
// still stores the same mail; while a durable server runs in the same thread
// everything stays synced. The system calls are counted by replacing
// node:fs's functions (module.syncBuiltinESMExports makes the store's named
// imports see the replacements), so no strace is needed.
// Standards: POSIX O_DSYNC, fsync(2).

import { expect } from "chai";
import fs, { constants } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import type { ServerConfig } from "../../../reference-server/config/types.ts";
import { holdStoreDurability } from "../../../reference-server/store/durable.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "../imap/support/imap-server.ts";
import { makeTempRoot } from "./temp-root.ts";

interface SyncCount {
  fsyncs: number;
  dataSyncOpens: number;
}

/** Runs `work` with fsync, fdatasync and open counted (opens only with O_DSYNC). */
async function countingSyncs(work: () => Promise<void>): Promise<SyncCount> {
  const count: SyncCount = { fsyncs: 0, dataSyncOpens: 0 };
  const original = { fsync: fs.fsync, fdatasync: fs.fdatasync, open: fs.open };
  const mutable = fs as { -readonly [K in keyof typeof original]: (typeof original)[K] };
  mutable.fsync = ((...args: Parameters<typeof fs.fsync>) => {
    count.fsyncs++;
    return original.fsync(...args);
  }) as typeof fs.fsync;
  mutable.fdatasync = ((...args: Parameters<typeof fs.fdatasync>) => {
    count.fsyncs++;
    return original.fdatasync(...args);
  }) as typeof fs.fdatasync;
  mutable.open = ((file: fs.PathLike, flags: unknown, ...rest: unknown[]) => {
    if (typeof flags === "number" && (flags & constants.O_DSYNC) !== 0) count.dataSyncOpens++;
    return (original.open as (...a: unknown[]) => void)(file, flags, ...rest);
  }) as typeof fs.open;
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    Object.assign(mutable, original);
    syncBuiltinESMExports();
  }
  return count;
}

const throwaway = (config: ServerConfig) => {
  config.store = { durable: false };
};

/** One SMTP delivery to alice, then over IMAP an APPEND, a flag change and an EXPUNGE: every kind of commit. */
async function commitEveryKind(server: ImapTestServer): Promise<void> {
  const smtp = await LineClient.connect({ port: server.ports.smtp });
  try {
    await readSmtpReply(smtp);
    await smtpCommand(smtp, "EHLO client.example.test");
    await smtpCommand(smtp, "MAIL FROM:<sender@example.test>");
    await smtpCommand(smtp, "RCPT TO:<alice@example.test>");
    await smtpCommand(smtp, "DATA");
    expect((await smtpCommand(smtp, `${sampleMessage(1).toString()}.`)).code).to.equal(250);
  } finally {
    smtp.close();
  }
  const imap = await loggedIn(server.imap);
  try {
    expect((await imap.run("APPEND INBOX", sampleMessage(2))).status).to.equal("OK");
    expect((await imap.run("SELECT INBOX")).status).to.equal("OK");
    expect((await imap.run("STORE 1 +FLAGS (\\Deleted)")).status).to.equal("OK");
    expect((await imap.run("EXPUNGE")).status).to.equal("OK");
  } finally {
    imap.close();
  }
}

/** Subjects a store opened afresh on the server's directory reads: what is on disk. */
async function subjectsOnDisk(server: ImapTestServer): Promise<string[]> {
  const inbox = await (await openMaildirStore(server.store.root)).mailbox("alice", "INBOX");
  const subjects: string[] = [];
  for (const m of (await inbox.status()).messages) subjects.push(/Subject: (.*)\r\n/.exec((await inbox.read(m.uid)).toString())![1]!);
  return subjects;
}

describe("store/durable: the durability switch", function () {
  const servers: ImapTestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
  });
  const start = async (adjust?: (config: ServerConfig) => void) => {
    const server = await startImapServer(adjust);
    servers.push(server);
    return server;
  };

  it("a durable server (the default) fsyncs and opens with O_DSYNC for what it acknowledges", async () => {
    const server = await start();
    const count = await countingSyncs(() => commitEveryKind(server));
    expect(count.fsyncs).to.be.greaterThan(0);
    expect(count.dataSyncOpens).to.be.greaterThan(0);
    expect(await subjectsOnDisk(server)).to.deep.equal(["message 2"]);
  });

  it("a throwaway server (store.durable: false) makes no sync at all and stores the same mail", async () => {
    const server = await start(throwaway);
    const count = await countingSyncs(() => commitEveryKind(server));
    expect(count).to.deep.equal({ fsyncs: 0, dataSyncOpens: 0 });
    expect(await subjectsOnDisk(server)).to.deep.equal(["message 2"]);
  });

  it("while a durable server runs in the same thread, a throwaway one beside it syncs too", async () => {
    await start();
    const server = await start(throwaway);
    const count = await countingSyncs(() => commitEveryKind(server));
    expect(count.fsyncs).to.be.greaterThan(0);
    expect(count.dataSyncOpens).to.be.greaterThan(0);
  });

  it("once the throwaway server has stopped, the store used alone syncs again", async () => {
    const server = await start(throwaway);
    await server.stop();
    servers.splice(0);
    const temp = await makeTempRoot();
    try {
      const store = await openMaildirStore(temp.root);
      const count = await countingSyncs(async () => {
        await store.deliver("alice", sampleMessage(3));
      });
      expect(count.fsyncs + count.dataSyncOpens).to.be.greaterThan(0);
    } finally {
      await temp.remove();
    }
  });

  it("a server releases its hold once: a second release changes nothing", async () => {
    const release = holdStoreDurability(false);
    const durable = holdStoreDurability(true);
    release();
    release();
    const temp = await makeTempRoot();
    try {
      const store = await openMaildirStore(temp.root);
      durable();
      const count = await countingSyncs(async () => {
        await store.deliver("alice", sampleMessage(4));
      });
      // Counted twice, the throwaway count would be -1, no server in the thread, and syncing off.
      expect(count.fsyncs + count.dataSyncOpens).to.be.greaterThan(0);
    } finally {
      await temp.remove();
    }
  });
});

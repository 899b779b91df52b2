// Mod-sequences on real files (RFC 7162): HIGHESTMODSEQ and per-message MODSEQ
// survive a restart and never go down, a torn last record (a crash mid-append)
// is ignored without lowering them, a flag change appends to the modseq file
// instead of rewriting the uid list, and expunges stay known for VANISHED.

import { expect } from "chai";
import { appendFile, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { COMPACT_MIN_RECORDS, MODSEQ_FILE, parseModseqFile } from "../../../reference-server/store/modseq-log.ts";
import { UID_LIST_FILE } from "../../../reference-server/store/uid-list.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

function message(n: number): Buffer {
  return Buffer.from(`From: a@example.org\r\nSubject: message ${n}\r\n\r\nbody ${n}\r\n`);
}

describe("store: mod-sequences", () => {
  let temp: TempRoot;
  let maildir: string;

  beforeEach(async () => {
    temp = await makeTempRoot();
    maildir = path.join(temp.root, "alice", "Maildir");
  });

  afterEach(async () => {
    await temp.remove();
  });

  it("every change raises HIGHESTMODSEQ and the changed message's MODSEQ only", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const [a, b] = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2))];
    const before = await inbox.status();
    const modseqOf = (s: typeof before, uid: number) => s.messages.find((m) => m.uid === uid)!.modseq!;
    expect(before.highestModseq).to.equal(Math.max(modseqOf(before, a), modseqOf(before, b)));
    await inbox.storeFlags([a], "add", ["\\Seen"]);
    const after = await inbox.status();
    expect(modseqOf(after, a)).to.be.greaterThan(before.highestModseq!);
    expect(after.highestModseq).to.equal(modseqOf(after, a));
    expect(modseqOf(after, b)).to.equal(modseqOf(before, b));
    // RFC 7162 §3.1.11: adding a flag that is already there changes nothing.
    await inbox.storeFlags([a], "add", ["\\Seen"]);
    expect((await inbox.status()).highestModseq).to.equal(after.highestModseq);
  });

  it("changes appended after the file was rewritten (a compaction) land in the new file", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const uid = await store.deliver("alice", message(1));
    // One record per change, through the descriptor held open: past COMPACT_MIN_RECORDS the file is
    // rewritten (renamed over), and the changes after that must go into the new file, not the old one.
    for (let i = 0; i <= COMPACT_MIN_RECORDS + 2; i++) await inbox.storeFlags([uid], i % 2 === 0 ? "add" : "remove", ["\\Seen"]);
    const before = await inbox.status();
    const { changes } = parseModseqFile(await readFile(path.join(maildir, MODSEQ_FILE), "utf8"));
    expect(changes.length).to.be.greaterThan(0).and.lessThan(COMPACT_MIN_RECORDS);
    const reopened = await (await openMaildirStore(temp.root)).mailbox("alice", "INBOX");
    expect((await reopened.status()).highestModseq).to.equal(before.highestModseq);
  });

  it("HIGHESTMODSEQ and each MODSEQ survive a restart, and the next change goes above them", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const uid = await store.deliver("alice", message(1));
    await inbox.storeFlags([uid], "add", ["\\Flagged", "Work"]);
    const before = await inbox.status();

    const reopened = await (await openMaildirStore(temp.root)).mailbox("alice", "INBOX");
    const after = await reopened.status();
    expect(after.highestModseq).to.equal(before.highestModseq);
    expect(after.messages[0]!.modseq).to.equal(before.messages[0]!.modseq);
    await reopened.storeFlags([uid], "remove", ["\\Flagged"]);
    expect((await reopened.status()).highestModseq).to.be.greaterThan(before.highestModseq!);
  });

  it("a torn last record (kill -9 mid-append) is ignored and HIGHESTMODSEQ is not lower than any value reported", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const uid = await store.deliver("alice", message(1));
    await inbox.storeFlags([uid], "add", ["\\Seen"]);
    const reported = (await inbox.status()).highestModseq!;
    await appendFile(path.join(maildir, MODSEQ_FILE), '0badc0de [1,99999999');

    const reopened = await (await openMaildirStore(temp.root)).mailbox("alice", "INBOX");
    expect((await reopened.status()).highestModseq).to.equal(reported);
    await reopened.storeFlags([uid], "remove", ["\\Seen"]);
    expect((await reopened.status()).highestModseq).to.be.greaterThan(reported);
  });

  it("a flag change appends one record and leaves the uid list as it was", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const uids = [];
    for (let n = 1; n <= 20; n++) uids.push(await store.deliver("alice", message(n)));
    await inbox.status();
    const list = await readFile(path.join(maildir, UID_LIST_FILE));
    const listStat = await stat(path.join(maildir, UID_LIST_FILE));
    const lines = (await readFile(path.join(maildir, MODSEQ_FILE), "utf8")).split("\n").length;
    await inbox.storeFlags([uids[3]!], "add", ["\\Answered"]);
    expect(await readFile(path.join(maildir, UID_LIST_FILE))).to.deep.equal(list);
    expect((await stat(path.join(maildir, UID_LIST_FILE))).ino).to.equal(listStat.ino);
    const text = await readFile(path.join(maildir, MODSEQ_FILE), "utf8");
    expect(text.split("\n").length).to.equal(lines + 1);
    expect(parseModseqFile(text).changes.at(-1)).to.include({ kind: "changed", modseq: (await inbox.status()).highestModseq });
  });

  it("a conditional store leaves messages modified since alone and names them", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const [a, b] = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2))];
    const since = (await inbox.status()).highestModseq!;
    await inbox.storeFlags([a], "add", ["\\Flagged"]);
    const options = { unchangedSince: since, modified: [] as number[], modseqs: new Map<number, number>() };
    const result = await inbox.storeFlags([a, b], "add", ["\\Seen"], options);
    expect(options.modified).to.deep.equal([a]);
    expect([...result.keys()]).to.deep.equal([b]);
    expect(options.modseqs.get(b)).to.be.greaterThan(since);
  });

  it("expunged UIDs are reported as vanished after their mod-sequence, also after a restart", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    const uids = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2)), await store.deliver("alice", message(3))];
    await inbox.storeFlags([uids[0]!], "add", ["\\Deleted"]);
    await inbox.expunge([uids[0]!]);
    const since = (await inbox.status()).highestModseq!;
    await inbox.expunge([uids[1]!]);
    expect(await inbox.vanishedSince!(since, uids)).to.deep.equal([uids[1]]);
    expect(await inbox.vanishedSince!(since - 1, uids)).to.deep.equal([uids[0], uids[1]]);
    const reopened = await (await openMaildirStore(temp.root)).mailbox("alice", "INBOX");
    expect(await reopened.vanishedSince!(since, uids)).to.deep.equal([uids[1]]);
  });

  it("a lost modseq file restarts counting above every value a client can hold", async () => {
    const store = await openMaildirStore(temp.root);
    const inbox = await store.mailbox("alice", "INBOX");
    await store.deliver("alice", message(1));
    const reported = (await inbox.status()).highestModseq!;
    await writeFile(path.join(maildir, MODSEQ_FILE), "");
    const reopened = await (await openMaildirStore(temp.root)).mailbox("alice", "INBOX");
    expect((await reopened.status()).highestModseq).to.be.greaterThan(reported);
  });
});

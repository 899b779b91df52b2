// The uid list's journal: its record format (a torn or garbled record is
// skipped, never misread), replay onto the list (only records of the list's
// generation and UIDVALIDITY count), and recovery through the store after
// the crashes it exists for — a torn append, a lost list, a lost journal, a
// compaction cut short — plus compaction itself.

import { expect } from "chai";
import { appendFile, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import type { FolderMailStore } from "../../../reference-server/store/types.ts";
import {
  formatJournalRecords,
  JOURNAL_COMPACT_MIN_RECORDS,
  parseJournal,
  replayJournal,
  UID_JOURNAL_FILE,
} from "../../../reference-server/store/uid-journal.ts";
import { formatUidList, parseUidList, UID_LIST_FILE, type UidList, type UidListEntry } from "../../../reference-server/store/uid-list.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

const entry = (uid: number, base: string, keywords: string[] = []): UidListEntry => ({ uid, base, size: 10 + uid, date: 1_700_000_000_000, keywords });

const LIST: UidList = {
  uidValidity: 1_700_000_000,
  uidNext: 3,
  keywords: ["Work"],
  messages: [entry(1, "one"), entry(2, "two", ["Work"])],
  journal: 4,
};

describe("store: uid journal", () => {
  describe("records", () => {
    it("parses what it formats, keywords included", () => {
      const text = formatJournalRecords(5, 2, [entry(3, "a"), entry(4, 'name "quoted"', ["$Label1"])]).toString();
      expect(parseJournal(text)).to.deep.equal([
        { uidValidity: 5, generation: 2, entry: entry(3, "a") },
        { uidValidity: 5, generation: 2, entry: entry(4, 'name "quoted"', ["$Label1"]) },
      ]);
    });

    it("ignores a torn last record, cut anywhere", () => {
      const whole = formatJournalRecords(5, 2, [entry(3, "a"), entry(4, "b")]).toString();
      const firstEnd = whole.indexOf("\n") + 1;
      for (let cut = firstEnd; cut < whole.length; cut++) {
        expect(parseJournal(whole.slice(0, cut)).map((r) => r.entry.uid), `cut at ${cut}`).to.deep.equal([3]);
      }
    });

    it("skips a record whose checksum does not match, and keeps the ones after it", () => {
      const [a, b, c] = formatJournalRecords(5, 2, [entry(3, "a"), entry(4, "b"), entry(5, "c")]).toString().split("\n");
      const garbled = b!.replace('"b"', '"x"');
      expect(parseJournal([a, garbled, c, ""].join("\n")).map((r) => r.entry.uid)).to.deep.equal([3, 5]);
      // Stale bytes glued to the front of a record (a lost truncation) spoil only that line.
      expect(parseJournal(["0000", a, "torn[1,2" + c, b, ""].join("\n")).map((r) => r.entry.uid)).to.deep.equal([3, 4]);
    });
  });

  describe("replay", () => {
    it("applies records of the list's generation and UIDVALIDITY, registering new keywords in order", () => {
      const records = parseJournal(
        [
          formatJournalRecords(LIST.uidValidity, 3, [entry(2, "stale generation")]),
          formatJournalRecords(LIST.uidValidity - 1, 4, [entry(1, "stale uidvalidity")]),
          formatJournalRecords(LIST.uidValidity, 4, [entry(5, "five", ["work", "Home"]), entry(6, "six", ["Later"])]),
        ].join(""),
      );
      const replayed = replayJournal(LIST, records)!;
      expect(replayed.messages.map((m) => m.uid)).to.deep.equal([1, 2, 5, 6]);
      expect(replayed.uidNext).to.equal(7);
      expect(replayed.keywords).to.deep.equal(["Work", "Home", "Later"]);
      expect(replayed.journal).to.equal(4);
    });

    it("refuses records that would reuse a UID or list a file twice", () => {
      const reuse = parseJournal(formatJournalRecords(LIST.uidValidity, 4, [entry(2, "again")]).toString());
      const twice = parseJournal(formatJournalRecords(LIST.uidValidity, 4, [entry(3, "one")]).toString());
      const descending = parseJournal(formatJournalRecords(LIST.uidValidity, 4, [entry(5, "a"), entry(4, "b")]).toString());
      for (const records of [reuse, twice, descending]) expect(replayJournal(LIST, records)).to.equal(null);
    });

    it("keeps the list's generation through its text form (absent in lists from before the journal)", () => {
      expect(parseUidList(formatUidList(LIST))!.journal).to.equal(4);
      const { journal: _, ...legacy } = LIST;
      expect(parseUidList(formatUidList(legacy))).to.not.have.property("journal");
      expect(parseUidList(formatUidList(legacy).replace('"keywords"', '"journal":-1,"keywords"'))).to.equal(null);
    });
  });

  describe("recovery through the store", () => {
    let temp: TempRoot;
    let maildir: string;
    const message = (n: number) => Buffer.from(`Subject: ${n}\r\n\r\nbody ${n}\r\n`);
    const reopen = () => openMaildirStore(temp.root);
    const inboxOf = async (store: FolderMailStore) => store.mailbox("alice", "INBOX");
    const journalFile = () => path.join(maildir, UID_JOURNAL_FILE);
    const listFile = () => path.join(maildir, UID_LIST_FILE);

    /** Delivers n messages; returns the status and the bytes of the journal afterwards. */
    async function deliverSome(n: number) {
      const store = await openMaildirStore(temp.root);
      for (let i = 1; i <= n; i++) expect(await store.deliver("alice", message(i))).to.equal(i);
      return { status: await (await inboxOf(store)).status(), journal: await readFile(journalFile()) };
    }

    async function expectIntact(store: FolderMailStore, uidValidity: number, uids: number[]) {
      const inbox = await inboxOf(store);
      const status = await inbox.status();
      expect(status.uidValidity).to.equal(uidValidity);
      expect(status.messages.map((m) => m.uid)).to.deep.equal(uids);
      for (const uid of uids) expect((await inbox.read(uid)).equals(message(uid))).to.equal(true);
    }

    beforeEach(async () => {
      temp = await makeTempRoot();
      maildir = path.join(temp.root, "alice", "Maildir");
    });
    afterEach(async () => {
      await temp.remove();
    });

    it("delivers through the journal without rewriting the list, and replays it on open", async () => {
      const store = await openMaildirStore(temp.root);
      expect(await store.deliver("alice", message(1))).to.equal(1);
      const listBefore = await readFile(listFile(), "utf8");
      expect(await store.deliver("alice", message(2))).to.equal(2);
      expect(await store.deliver("alice", message(3))).to.equal(3);
      expect(await readFile(listFile(), "utf8")).to.equal(listBefore);
      expect(parseJournal(await readFile(journalFile(), "utf8")).map((r) => r.entry.uid)).to.deep.equal([1, 2, 3]);
      const { uidValidity } = await (await inboxOf(store)).status();
      await expectIntact(await reopen(), uidValidity, [1, 2, 3]);
      // Opening folded the journal into the list.
      expect(parseUidList(await readFile(listFile(), "utf8"))!.messages.map((m) => m.uid)).to.deep.equal([1, 2, 3]);
      expect((await stat(journalFile())).size).to.equal(0);
    });

    it("recovers every UID after a torn append, and drops the torn bytes", async () => {
      const { status, journal } = await deliverSome(3);
      // A crash mid-append of a fourth record whose file had reached new/: no UID was announced for it.
      await writeFile(path.join(maildir, "new", "9999999999.M1P1Q1R1.host,S=9"), message(4));
      const torn = formatJournalRecords(status.uidValidity, parseJournal(journal.toString())[0]!.generation, [entry(4, "9999999999.M1P1Q1R1.host,S=9")]);
      await appendFile(journalFile(), torn.subarray(0, torn.length - 5));
      const store = await reopen();
      await expectIntact(store, status.uidValidity, [1, 2, 3, 4]);
      expect((await stat(journalFile())).size).to.equal(0);
      expect(await store.deliver("alice", message(5))).to.equal(5);
      await expectIntact(await reopen(), status.uidValidity, [1, 2, 3, 4, 5]);
    });

    it("rebuilds under a greater UIDVALIDITY when the list is lost (journal without list)", async () => {
      const { status } = await deliverSome(3);
      await unlink(listFile());
      const after = await (await inboxOf(await reopen())).status();
      expect(after.uidValidity).to.be.greaterThan(status.uidValidity);
      expect(after.messages.map((m) => m.uid)).to.deep.equal([1, 2, 3]);
      // The old journal's records name the old UIDVALIDITY: never replayed onto the new list.
      expect((await stat(journalFile())).size).to.equal(0);
    });

    it("rebuilds under a greater UIDVALIDITY when the journal is lost (list without journal)", async () => {
      const { status } = await deliverSome(3);
      await unlink(journalFile());
      const after = await (await inboxOf(await reopen())).status();
      expect(after.uidValidity).to.be.greaterThan(status.uidValidity);
      expect(after.messages.map((m) => m.uid)).to.deep.equal([1, 2, 3]);
    });

    it("reads a list from before the journal (no generation, no journal) as it is", async () => {
      const { status } = await deliverSome(2);
      const list = parseUidList(await readFile(listFile(), "utf8"))!;
      expect(list.messages).to.have.length(0);
      // The same state written the old way: every message in the list, no journal.
      const replayed = replayJournal(list, parseJournal(await readFile(journalFile(), "utf8")))!;
      const { journal: _, ...legacy } = replayed;
      await writeFile(listFile(), formatUidList(legacy));
      await unlink(journalFile());
      await expectIntact(await reopen(), status.uidValidity, [1, 2]);
    });

    it("keeps UIDs when a compaction was cut short after the new list (old records left in the journal)", async () => {
      const { status, journal } = await deliverSome(3);
      // A flag change rewrites the list (compaction) and empties the journal.
      const store = await reopen();
      await (await inboxOf(store)).storeFlags([2], "add", ["Work"]);
      expect(parseUidList(await readFile(listFile(), "utf8"))!.messages).to.have.length(3);
      // The crash came before the journal was emptied: its old records are back.
      await writeFile(journalFile(), journal);
      const again = await reopen();
      await expectIntact(again, status.uidValidity, [1, 2, 3]);
      expect((await (await inboxOf(again)).status()).messages[1]!.flags).to.deep.equal(["Work"]);
      expect(await again.deliver("alice", message(4))).to.equal(4);
    });

    it("keeps UIDs when a compaction was cut short before the new list was in place", async () => {
      const { status } = await deliverSome(3);
      const list = await readFile(listFile(), "utf8");
      // The temp file of the list write that never got renamed over the list.
      await writeFile(`${listFile()}.tmp-1-abc`, list.replace(/"journal":\d+/, '"journal":99'));
      await expectIntact(await reopen(), status.uidValidity, [1, 2, 3]);
    });

    it("compacts once the journal outgrows its limit: the list then holds every message", async function () {
      this.timeout(30_000);
      const store = await openMaildirStore(temp.root);
      const count = JOURNAL_COMPACT_MIN_RECORDS + 10;
      const uids = await Promise.all(Array.from({ length: count }, (_, i) => store.deliver("alice", message(i + 1))));
      expect(new Set(uids).size).to.equal(count);
      // Compaction runs after the batch that made it due, under the mailbox lock: status() waits for it.
      const status = await (await inboxOf(store)).status();
      const list = parseUidList(await readFile(listFile(), "utf8"))!;
      expect(list.messages.length).to.be.greaterThan(JOURNAL_COMPACT_MIN_RECORDS);
      expect(parseJournal(await readFile(journalFile(), "utf8")).length).to.be.lessThan(count - JOURNAL_COMPACT_MIN_RECORDS);
      const again = await (await inboxOf(await reopen())).status();
      expect(again.uidValidity).to.equal(status.uidValidity);
      expect(again.messages.map((m) => m.uid)).to.deep.equal([...uids].sort((a, b) => a - b));
      expect(await readdir(path.join(maildir, "new"))).to.have.length(count);
    });
  });
});

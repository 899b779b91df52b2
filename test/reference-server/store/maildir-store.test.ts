// The Maildir store against real files: delivery and read-back, UIDs that
// persist and are never reused, rebuilding a lost uid list, flags, expunge,
// concurrency, crash debris in tmp/, watchers and external changes.

import { expect } from "chai";
import { readdirSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { diskError, injectDiskFaults, type DiskOperation } from "../../../reference-server/store/disk-faults.ts";
import { MAX_KEYWORDS_PER_MAILBOX } from "../../../reference-server/store/flags.ts";
import { DIR_SETTLE_MS, removeTmpDebris, restampsEveryChange, stampDir } from "../../../reference-server/store/maildir.ts";
import type { MaildirMailbox } from "../../../reference-server/store/mailbox.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import type { FolderMailStore, MailboxChange } from "../../../reference-server/store/types.ts";
import { InvalidFlag, MessageGone } from "../../../reference-server/store/types.ts";
import { MODSEQ_FILE } from "../../../reference-server/store/modseq-log.ts";
import { UID_JOURNAL_FILE } from "../../../reference-server/store/uid-journal.ts";
import { UID_LIST_FILE } from "../../../reference-server/store/uid-list.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

function message(n: number): Buffer {
  return Buffer.from(`From: a@example.org\r\nSubject: message ${n}\r\n\r\n.leading dot\r\nbody ${n}\r\n`);
}

describe("store: Maildir store", () => {
  let temp: TempRoot;
  let store: FolderMailStore;
  let maildir: string;

  beforeEach(async () => {
    temp = await makeTempRoot();
    store = await openMaildirStore(temp.root);
    maildir = path.join(temp.root, "alice", "Maildir");
  });

  afterEach(async () => {
    await temp.remove();
  });

  const reopen = () => openMaildirStore(temp.root);

  describe("delivery", () => {
    it("stores the exact bytes in new/ of <root>/<user>/Maildir and reads them back", async () => {
      const bytes = Buffer.concat([message(1), Buffer.from([0, 1, 0xff, 0x80, 13, 10, 10, 13])]);
      const uid = await store.deliver("alice", bytes);
      expect(uid).to.equal(1);
      for (const sub of ["tmp", "new", "cur"]) expect((await stat(path.join(maildir, sub))).isDirectory()).to.equal(true);
      const files = await readdir(path.join(maildir, "new"));
      expect(files).to.have.length(1);
      expect(files[0]).to.match(new RegExp(`,S=${bytes.length}$`));
      expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
      expect((await readFile(path.join(maildir, "new", files[0]!))).equals(bytes)).to.equal(true);

      const inbox = await store.mailbox("alice", "INBOX");
      expect((await inbox.read(uid)).equals(bytes)).to.equal(true);
      const status = await inbox.status();
      expect(status.messages).to.have.length(1);
      expect(status.messages[0]).to.include({ uid: 1, size: bytes.length });
      expect(status.messages[0]!.flags).to.deep.equal([]);
    });

    it("names INBOX case-insensitively and hands every session the same mailbox", async () => {
      const a = await store.mailbox("alice", "inbox");
      const b = await store.mailbox("alice", "INBOX");
      expect(a).to.equal(b);
      expect(a.name).to.equal("INBOX");
    });

    it("keeps users apart", async () => {
      await store.deliver("alice", message(1));
      await store.deliver("bob", message(2));
      expect((await (await store.mailbox("bob", "INBOX")).status()).messages.map((m) => m.uid)).to.deep.equal([1]);
      expect((await (await store.mailbox("bob", "INBOX")).read(1)).equals(message(2))).to.equal(true);
    });

    it("records internalDate as the file's mtime when an append gives one", async () => {
      const date = new Date("2001-02-03T04:05:06Z");
      const inbox = await store.mailbox("alice", "INBOX");
      const uid = await inbox.append(message(1), { internalDate: date });
      expect((await inbox.status()).messages[0]!.internalDate.getTime()).to.equal(date.getTime());
      const [file] = await readdir(path.join(maildir, "new"));
      expect((await stat(path.join(maildir, "new", file!))).mtime.getTime()).to.equal(date.getTime());
      const again = await (await reopen()).mailbox("alice", "INBOX");
      expect((await again.status()).messages.find((m) => m.uid === uid)!.internalDate.getTime()).to.equal(date.getTime());
    });
  });

  describe("UIDs", () => {
    it("increase, survive reopening the store, and are never reused after expunge", async () => {
      expect([await store.deliver("alice", message(1)), await store.deliver("alice", message(2))]).to.deep.equal([1, 2]);
      const before = await (await store.mailbox("alice", "INBOX")).status();

      const second = await reopen();
      const inbox = await second.mailbox("alice", "INBOX");
      const after = await inbox.status();
      expect(after.uidValidity).to.equal(before.uidValidity);
      expect(after.messages.map((m) => m.uid)).to.deep.equal([1, 2]);
      expect(await second.deliver("alice", message(3))).to.equal(3);
      await inbox.expunge([3]);

      const third = await reopen();
      expect((await (await third.mailbox("alice", "INBOX")).status()).uidNext).to.equal(4);
      expect(await third.deliver("alice", message(4))).to.equal(4);
    });

    it("rebuilds a lost uid list with a greater UIDVALIDITY and every message present", async () => {
      for (let n = 1; n <= 3; n++) await store.deliver("alice", message(n));
      const before = await (await store.mailbox("alice", "INBOX")).status();
      await unlink(path.join(maildir, UID_LIST_FILE));

      const inbox = await (await reopen()).mailbox("alice", "INBOX");
      const after = await inbox.status();
      expect(after.uidValidity).to.be.greaterThan(before.uidValidity);
      expect(after.messages.map((m) => m.uid)).to.deep.equal([1, 2, 3]);
      // New UIDs follow arrival order (the names start with the delivery time).
      for (let n = 1; n <= 3; n++) expect((await inbox.read(n)).equals(message(n))).to.equal(true);
    });

    for (const [label, corrupt] of [
      ["garbage", "not a uid list\n"],
      ["a truncated file", "mailconform-uidlist 1\n{\"uidValidity\":5,\"uidNe"],
      ["UIDs at or above UIDNEXT", "mailconform-uidlist 1\n{\"uidValidity\":5,\"uidNext\":2,\"keywords\":[]}\n[7,\"x\",1,0]\n"],
    ] as const) {
      it(`rebuilds a corrupt uid list (${label}) with a greater UIDVALIDITY`, async () => {
        await store.deliver("alice", message(1));
        const before = await (await store.mailbox("alice", "INBOX")).status();
        await writeFile(path.join(maildir, UID_LIST_FILE), corrupt);
        const after = await (await (await reopen()).mailbox("alice", "INBOX")).status();
        expect(after.uidValidity).to.be.greaterThan(before.uidValidity);
        expect(after.messages.map((m) => m.uid)).to.deep.equal([1]);
      });
    }

    it("gives files delivered by someone else new UIDs, and keeps them", async () => {
      await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      await inbox.status();
      await writeFile(path.join(maildir, "cur", "2000000000.foreign.host:2,S"), message(9));
      await writeFile(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      const status = await inbox.status();
      // Sorted by name: the 1000000000 file comes before the 2000000000 one.
      expect(status.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [1, []],
        [2, []],
        [3, ["\\Seen"]],
      ]);
      expect((await inbox.read(2)).equals(message(8))).to.equal(true);
      const again = await (await (await reopen()).mailbox("alice", "INBOX")).status();
      expect(again.messages.map((m) => m.uid)).to.deep.equal([1, 2, 3]);
      expect(again.uidValidity).to.equal(status.uidValidity);
    });

    it("gives 200 concurrent deliveries unique UIDs, all present and intact", async () => {
      const count = 200;
      const uids = await Promise.all(Array.from({ length: count }, (_, n) => store.deliver("alice", message(n))));
      expect(new Set(uids).size).to.equal(count);
      expect([...uids].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: count }, (_, i) => i + 1));
      const inbox = await (await reopen()).mailbox("alice", "INBOX");
      const status = await inbox.status();
      expect(status.messages).to.have.length(count);
      for (const [n, uid] of uids.entries()) expect((await inbox.read(uid)).equals(message(n))).to.equal(true);
      expect(await readdir(path.join(maildir, "new"))).to.have.length(count);
    });
  });

  describe("flags", () => {
    it("round-trip through Maildir info letters and the uid list, and persist across reopen", async () => {
      const inbox = await store.mailbox("alice", "INBOX");
      const uid = await inbox.append(message(1), { flags: ["\\seen", "$Label1"] });
      expect((await readdir(path.join(maildir, "cur")))[0]).to.match(/:2,S$/);
      expect((await inbox.status()).messages[0]!.flags).to.deep.equal(["\\Seen", "$Label1"]);

      let result = await inbox.storeFlags([uid], "add", ["\\Flagged", "\\Answered", "Work", "$label1"]);
      expect(result.get(uid)).to.deep.equal(["\\Seen", "\\Answered", "\\Flagged", "$Label1", "Work"]);
      result = await inbox.storeFlags([uid], "remove", ["\\Seen", "$LABEL1"]);
      expect(result.get(uid)).to.deep.equal(["\\Answered", "\\Flagged", "Work"]);
      expect((await readdir(path.join(maildir, "cur")))[0]).to.match(/:2,FR$/);

      const again = await (await reopen()).mailbox("alice", "INBOX");
      const status = await again.status();
      expect(status.messages[0]!.flags).to.deep.equal(["\\Answered", "\\Flagged", "Work"]);
      expect(status.keywords).to.have.members(["$Label1", "Work"]);
      result = await again.storeFlags([uid], "set", ["\\Deleted", "\\Draft"]);
      expect(result.get(uid)).to.deep.equal(["\\Deleted", "\\Draft"]);
      expect((await readdir(path.join(maildir, "cur")))[0]).to.match(/:2,DT$/);
    });

    it("keeps the UID when a message moves from new/ to cur/, and ignores UIDs that are gone", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      const result = await inbox.storeFlags([uid, 99], "add", ["\\Seen"]);
      expect([...result.keys()]).to.deep.equal([uid]);
      expect(await readdir(path.join(maildir, "new"))).to.deep.equal([]);
      expect((await (await (await reopen()).mailbox("alice", "INBOX")).status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [uid, ["\\Seen"]],
      ]);
      expect((await inbox.read(uid)).equals(message(1))).to.equal(true);
    });

    it("refuses \\Recent, unknown system flags and keywords that are not atoms, changing nothing", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      for (const flag of ["\\Recent", "\\Bogus", "two words", "paren(", "", "x".repeat(101)]) {
        let caught: unknown;
        try {
          await inbox.storeFlags([uid], "add", [flag]);
        } catch (error) {
          caught = error;
        }
        expect(caught, flag).to.be.instanceOf(InvalidFlag);
      }
      expect((await inbox.status()).messages[0]!.flags).to.deep.equal([]);
    });

    it("caps keywords per mailbox; an append over the cap fails alone and leaves no file", async () => {
      const inbox = await store.mailbox("alice", "INBOX");
      const uid = await store.deliver("alice", message(1));
      const many = Array.from({ length: MAX_KEYWORDS_PER_MAILBOX }, (_, i) => `k${i}`);
      await inbox.storeFlags([uid], "add", many);
      const [over, plain] = await Promise.allSettled([
        inbox.append(message(2), { flags: ["OneTooMany"] }),
        inbox.append(message(3), { flags: ["k7", "\\Seen"] }),
      ]);
      expect(over.status === "rejected" && over.reason).to.be.instanceOf(InvalidFlag);
      expect(plain.status).to.equal("fulfilled");
      expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
      const status = await inbox.status();
      expect(status.messages.map((m) => m.uid)).to.have.length(2);
      expect(status.keywords).to.have.length(MAX_KEYWORDS_PER_MAILBOX);
    });

    it("reads a message whose file another program renamed", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      await inbox.status();
      const [file] = await readdir(path.join(maildir, "new"));
      await rename(path.join(maildir, "new", file!), path.join(maildir, "cur", `${file}:2,S`));
      expect((await inbox.read(uid)).equals(message(1))).to.equal(true);
      expect((await inbox.status()).messages[0]!.flags).to.deep.equal(["\\Seen"]);
    });
  });

  describe("expunge", () => {
    it("removes the files, forgets the UIDs, and ignores UIDs already gone", async () => {
      const inbox = await store.mailbox("alice", "INBOX");
      const one = await inbox.append(message(1), { flags: ["\\Deleted"] });
      const two = await store.deliver("alice", message(2));
      await inbox.expunge([one, 77]);
      await inbox.expunge([one]);
      expect(await readdir(path.join(maildir, "cur"))).to.deep.equal([]);
      expect(await readdir(path.join(maildir, "new"))).to.have.length(1);
      expect((await inbox.status()).messages.map((m) => m.uid)).to.deep.equal([two]);
      let caught: unknown;
      try {
        await inbox.read(one);
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(MessageGone);
      expect((await (await (await reopen()).mailbox("alice", "INBOX")).status()).messages.map((m) => m.uid)).to.deep.equal([two]);
    });

    it("STORE and EXPUNGE over many files find those another program renamed meanwhile, and drop those it deleted", async () => {
      const uids: number[] = [];
      for (let n = 0; n < 40; n++) uids.push(await store.deliver("alice", message(n)));
      const inbox = await store.mailbox("alice", "INBOX");
      await inbox.status();
      const changes: MailboxChange[] = [];
      inbox.watch((change) => changes.push(change));
      // Behind the view's back: every third file moved to cur/ with a flag of its own, every tenth deleted.
      const files = (await readdir(path.join(maildir, "new"))).sort();
      for (const [i, file] of files.entries()) {
        if (i % 10 === 9) await unlink(path.join(maildir, "new", file));
        else if (i % 3 === 0) await rename(path.join(maildir, "new", file), path.join(maildir, "cur", `${file}:2,F`));
      }
      const deleted = uids.filter((_, i) => i % 10 === 9);
      const kept = uids.filter((_, i) => i % 10 !== 9);
      const result = await inbox.storeFlags(uids, "add", ["\\Seen"]);
      expect([...result.keys()].sort((a, b) => a - b)).to.deep.equal(kept);
      for (const flags of result.values()) expect(flags).to.include("\\Seen");
      expect(changes).to.deep.include({ kind: "expunged", uids: deleted });
      expect((await readdir(path.join(maildir, "cur"))).filter((f) => /:2,.*S/.test(f))).to.have.length(kept.length);
      // And once more for EXPUNGE: half of them renamed back to new/ by the other program.
      for (const file of (await readdir(path.join(maildir, "cur"))).sort().filter((_, i) => i % 2 === 0)) {
        await rename(path.join(maildir, "cur", file), path.join(maildir, "new", file.replace(/:2,.*$/, "")));
      }
      await inbox.expunge(kept);
      expect(await readdir(path.join(maildir, "cur"))).to.deep.equal([]);
      expect(await readdir(path.join(maildir, "new"))).to.deep.equal([]);
      expect((await inbox.status()).messages).to.deep.equal([]);
      expect((await (await (await reopen()).mailbox("alice", "INBOX")).status()).messages).to.deep.equal([]);
    });

    it("notices a message file deleted by another program", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      const changes: MailboxChange[] = [];
      inbox.watch((change) => changes.push(change));
      await rm(path.join(maildir, "new"), { recursive: true });
      await mkdir(path.join(maildir, "new"));
      expect((await inbox.status()).messages).to.deep.equal([]);
      expect(changes).to.deep.equal([{ kind: "expunged", uids: [uid] }]);
    });
  });

  describe("crash safety", () => {
    it("never lists a file left in tmp/ by a crashed write", async () => {
      await store.deliver("alice", message(1));
      await writeFile(path.join(maildir, "tmp", "1700000000.M1P1Q1Rdead.host,S=5"), "half-");
      expect((await (await store.mailbox("alice", "INBOX")).status()).messages.map((m) => m.uid)).to.deep.equal([1]);
      expect((await (await (await reopen()).mailbox("alice", "INBOX")).status()).messages.map((m) => m.uid)).to.deep.equal([1]);
    });

    it("removes tmp/ debris older than 36 hours (by ctime), keeps younger files and directories", async () => {
      await store.deliver("alice", message(1));
      await writeFile(path.join(maildir, "tmp", "debris"), "x");
      await mkdir(path.join(maildir, "tmp", "a-directory"));
      const hour = 60 * 60 * 1000;
      await removeTmpDebris(maildir, Date.now() + 35 * hour);
      expect((await readdir(path.join(maildir, "tmp"))).sort()).to.deep.equal(["a-directory", "debris"]);
      await removeTmpDebris(maildir, Date.now() + 37 * hour);
      expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal(["a-directory"]);
    });

    it("keeps a staged append whose internal date is years old (mtime is not its age)", async () => {
      const inbox = await (await reopen()).mailbox("alice", "INBOX");
      const uid = await inbox.append(message(1), { internalDate: new Date("1999-01-01T00:00:00Z") });
      expect((await inbox.read(uid)).equals(message(1))).to.equal(true);
    });
  });

  describe("watch", () => {
    it("tells every session of added, flags and expunged, until it unsubscribes", async () => {
      const seen: MailboxChange[] = [];
      const other: MailboxChange[] = [];
      const inbox = await store.mailbox("alice", "INBOX");
      const stop = inbox.watch((change) => seen.push(change));
      (await store.mailbox("alice", "INBOX")).watch((change) => other.push(change));

      const uid = await store.deliver("alice", message(1));
      await inbox.storeFlags([uid], "add", ["\\Seen"]);
      await inbox.storeFlags([uid], "add", ["\\Seen"]);
      stop();
      await inbox.expunge([uid]);

      expect(seen).to.deep.equal([
        { kind: "added", uids: [uid] },
        { kind: "flags", uids: [uid] },
      ]);
      expect(other).to.deep.equal([
        { kind: "added", uids: [uid] },
        { kind: "flags", uids: [uid] },
        { kind: "expunged", uids: [uid] },
      ]);
    });

    it("keeps delivering when a listener throws, and hands the error to onListenerError", async () => {
      const reported: unknown[] = [];
      const reporting = await openMaildirStore(temp.root, { onListenerError: (error) => reported.push(error) });
      const inbox = await reporting.mailbox("alice", "INBOX");
      const others: MailboxChange[] = [];
      inbox.watch(() => {
        throw new Error("listener bug");
      });
      inbox.watch((change) => others.push(change));
      const uid = await reporting.deliver("alice", message(1));
      expect(uid).to.equal(1);
      expect(others).to.deep.equal([{ kind: "added", uids: [1] }]);
      expect(reported.map((e) => (e as Error).message)).to.deep.equal(["listener bug"]);
    });
  });

  describe("group commit of flag changes and expunges", () => {
    afterEach(() => injectDiskFaults(null));

    /** Records every directory sync and mod-sequence write, and lets none fail. */
    function recordDiskOperations(events: string[]): void {
      injectDiskFaults((operation: DiskOperation, file: string) => {
        if (operation === "sync") events.push(`sync ${path.basename(file)}`);
        if (operation === "write" && path.basename(file) === MODSEQ_FILE) events.push("modseq");
        if (operation === "write" && path.basename(file) === UID_JOURNAL_FILE) events.push("journal");
        return null;
      });
    }

    it("changes and appends queued together share one sync per directory and one append per log, each answered only after it", async () => {
      const uids: number[] = [];
      for (let n = 1; n <= 6; n++) uids.push(await store.deliver("alice", message(n)));
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.storeFlags([uids[5]!], "add", ["\\Deleted"]);
      const before = (await inbox.status()).highestModseq!;
      const events: string[] = [];
      recordDiskOperations(events);
      const answered = (what: string) => (value: unknown) => (events.push(`answered ${what}`), value);
      // The lock is held until all seven are queued (the append stages its files first), as when a sync is in flight.
      let release = () => {};
      const held = inbox.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
      const queued = () => (inbox as unknown as { changes: unknown[] }).changes.length;
      const all = Promise.all([
        ...uids.slice(0, 5).map((uid) => inbox.storeFlags([uid], "add", ["\\Flagged"]).then(answered(`store ${uid}`))),
        inbox.expunge([uids[5]!]).then(answered("expunge")),
        inbox.appendAll([{ bytes: message(7) }, { bytes: message(8), flags: ["\\Seen"] }]).then(answered("append")),
      ]);
      while (queued() < 7) await new Promise((resolve) => setImmediate(resolve));
      release();
      await held;
      const results = await all;
      for (const log of ["sync cur", "sync new", "modseq", "journal"]) expect(events.filter((e) => e === log), log).to.have.length(1);
      // Durable before any answer: every sync and write comes first.
      const firstAnswer = events.findIndex((e) => e.startsWith("answered"));
      expect(events.slice(firstAnswer).every((e) => e.startsWith("answered")), events.join(", ")).to.equal(true);
      expect(results.slice(0, 5).map((r) => [...(r as Map<number, string[]>).values()])).to.deep.equal(uids.slice(0, 5).map(() => [["\\Flagged"]]));
      // Each change took its own mod-sequence, and all of them survive a restart.
      const status = await (await (await reopen()).mailbox("alice", "INBOX")).status();
      expect(results.at(-1)).to.deep.equal({ uidValidity: status.uidValidity, uids: [7, 8] });
      expect(status.messages.map((m) => [m.uid, m.flags])).to.deep.equal([...uids.slice(0, 5).map((uid) => [uid, ["\\Flagged"]]), [7, []], [8, ["\\Seen"]]]);
      expect(new Set(status.messages.map((m) => m.modseq)).size).to.equal(6);
      expect(status.highestModseq).to.equal(before + 7);
    });

    it("a failed shared sync fails every change queued with it and changes nothing on disk", async () => {
      const uids: number[] = [];
      for (let n = 1; n <= 3; n++) uids.push(await store.deliver("alice", message(n)));
      const inbox = await store.mailbox("alice", "INBOX");
      await inbox.storeFlags([uids[2]!], "add", ["\\Seen"]);
      const names = async () => [...(await readdir(path.join(maildir, "new"))), ...(await readdir(path.join(maildir, "cur")))].sort();
      const before = await names();
      injectDiskFaults((operation, file) => (operation === "sync" ? diskError("EIO", operation, file) : null));
      const outcomes = await Promise.allSettled([inbox.storeFlags([uids[0]!], "add", ["\\Flagged"]), inbox.storeFlags([uids[1]!], "add", ["\\Answered"]), inbox.expunge([uids[2]!])]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(["rejected", "rejected", "rejected"]);
      injectDiskFaults(null);
      expect(await names()).to.deep.equal(before);
      expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
      expect((await inbox.status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [uids[0], []],
        [uids[1], []],
        [uids[2], ["\\Seen"]],
      ]);
    });

    it("a change that fails on its own (too many keywords) fails alone; the others of its batch are stored", async () => {
      const [a, b] = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2))];
      const inbox = await store.mailbox("alice", "INBOX");
      const tooMany = Array.from({ length: MAX_KEYWORDS_PER_MAILBOX + 1 }, (_, i) => `kw${i}`);
      const outcomes = await Promise.allSettled([inbox.storeFlags([a], "add", ["\\Flagged"]), inbox.storeFlags([a], "add", tooMany), inbox.storeFlags([b], "add", ["\\Seen"])]);
      expect(outcomes.map((o) => o.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
      expect((outcomes[1] as PromiseRejectedResult).reason).to.be.instanceOf(InvalidFlag);
      expect((await inbox.status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [a, ["\\Flagged"]],
        [b, ["\\Seen"]],
      ]);
    });
  });

  describe("status", () => {
    it("status() calls that must look under the lock while one waits for it share its look at the disk, each with its own arrays", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.status();
      // Another program's delivery sends them to the lock; queued behind a change, all three wait for it together.
      writeFileSync(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      const changing = inbox.storeFlags([uid], "add", ["\\Seen"]);
      const listed = inbox.listings;
      const [a, b, c] = await Promise.all([inbox.status(), inbox.status(), inbox.status()]);
      await changing;
      expect(inbox.listings - listed).to.equal(1);
      expect(a.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [uid, ["\\Seen"]],
        [2, []],
      ]);
      expect(b).to.deep.equal(a);
      expect(c).to.deep.equal(a);
      expect(a.messages).to.not.equal(b.messages);
      // One made after the shared look has started looks again.
      await writeFile(path.join(maildir, "new", "1000000001.foreign.host"), message(9));
      expect((await inbox.status()).messages.map((m) => m.uid)).to.deep.equal([uid, 2, 3]);
    });

    it("while another session's change holds the lock, answers from the last durable state without waiting, and each change once it is durable", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.status();
      let release!: () => void;
      let held = false;
      const holding = inbox.exclusive(async () => {
        held = true;
        await new Promise<void>((resolve) => (release = resolve));
        held = false;
      });
      // The change waits behind the held lock: nothing of it is durable, so nothing of it is shown.
      const changing = inbox.storeFlags([uid], "add", ["\\Flagged"]);
      const listed = inbox.listings;
      const asked = inbox.status();
      // Answered before the event loop turns, so not from behind the lock.
      expect(await Promise.race([asked.then(() => "answered"), new Promise((resolve) => setImmediate(() => resolve("waiting")))])).to.equal("answered");
      const during = await asked;
      expect(held).to.equal(true);
      expect(during.messages.map((m) => [m.uid, m.flags])).to.deep.equal([[uid, []]]);
      expect(inbox.listings).to.equal(listed);
      release();
      await holding;
      await changing;
      expect((await inbox.status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([[uid, ["\\Flagged"]]]);
      expect(inbox.listings).to.equal(listed);
    });

    it("sees what another program did right after one of our own writes, while the directories' timestamps cannot tell", async () => {
      const [one, two] = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2))];
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.status();
      await inbox.storeFlags([one], "add", ["\\Seen"]);
      // Synchronous, so all of it lands within the timestamp tick of our rename.
      const [fresh] = readdirSync(path.join(maildir, "new"));
      writeFileSync(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      renameSync(path.join(maildir, "new", fresh!), path.join(maildir, "cur", `${fresh}:2,F`));
      expect((await inbox.status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [one, ["\\Seen"]],
        [two, ["\\Flagged"]],
        [3, []],
      ]);
      await inbox.expunge([one]);
      const [seen] = readdirSync(path.join(maildir, "cur")).filter((f) => f.includes(":2,F"));
      unlinkSync(path.join(maildir, "cur", seen!));
      expect((await inbox.status()).messages.map((m) => m.uid)).to.deep.equal([3]);
    });

    it("while our own change is being applied, a delivery by another program sends status() to the lock, and it is seen", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.status();
      const changing = inbox.storeFlags([uid], "add", ["\\Seen"]);
      writeFileSync(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      const listed = inbox.listings;
      const status = await inbox.status();
      await changing;
      expect(inbox.listings).to.equal(listed + 1);
      expect(status.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [uid, ["\\Seen"]],
        [2, []],
      ]);
    });

    it("after our own changes, a look that reuses the last listing of unchanged directories still sees another program's later delivery", async () => {
      const uid = await store.deliver("alice", message(1));
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.status();
      await inbox.storeFlags([uid], "add", ["\\Seen"]);
      // Listed (our rename moved the stamps), then published again by the next change: the directories keep the listed stamps.
      await inbox.status();
      await inbox.storeFlags([uid], "add", ["\\Seen"]);
      expect((await inbox.status()).messages.map((m) => [m.uid, m.flags])).to.deep.equal([[uid, ["\\Seen"]]]);
      writeFileSync(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      expect((await inbox.status()).messages.map((m) => m.uid)).to.deep.equal([uid, 2]);
    });

    it("reports sizes without reading messages, from the uid list after a reopen", async () => {
      const sizes = [10, 2000, 0].map((n) => Buffer.alloc(n, 0x61));
      for (const bytes of sizes) await store.deliver("alice", bytes);
      const status = await (await (await reopen()).mailbox("alice", "INBOX")).status();
      expect(status.messages.map((m) => m.size)).to.deep.equal([10, 2000, 0]);
      expect(status.uidNext).to.equal(4);
    });

    it("stamps a directory as settled only DIR_SETTLE_MS after its last change where times come in ticks, and every change moves the stamp", async () => {
      await store.deliver("alice", message(1));
      const dir = path.join(maildir, "new");
      const now = stampDir(dir, Date.now(), false);
      expect(now.settled).to.equal(false);
      const later = stampDir(dir, Date.now() + DIR_SETTLE_MS + 1000, false);
      expect(later).to.deep.equal({ key: now.key, settled: true });
      await writeFile(path.join(dir, "1000000000.foreign.host"), message(8));
      expect(stampDir(dir, Date.now() + DIR_SETTLE_MS + 1000, false).key).to.not.equal(now.key);
      // Where every change after a stat is restamped, a stamp is settled as soon as it is taken.
      expect(stampDir(dir, Date.now(), true)).to.deep.equal({ key: stampDir(dir, Date.now(), false).key, settled: true });
    });

    it("measures once per device whether every change after a stat moves a directory's times, and leaves nothing in tmp/", async () => {
      await store.deliver("alice", message(1));
      const device = (await stat(maildir, { bigint: true })).dev;
      const restamped = restampsEveryChange(maildir, device);
      expect(restamped).to.be.a("boolean");
      expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
      expect(restampsEveryChange(maildir, device)).to.equal(restamped);
      // Where it does, back-to-back changes each after a stat never share their times.
      if (restamped) {
        const dir = path.join(maildir, "new");
        for (let i = 0; i < 50; i++) {
          const before = stampDir(dir);
          writeFileSync(path.join(dir, `100000000${i}.foreign.host`), "");
          expect(stampDir(dir).key).to.not.equal(before.key);
        }
      }
    });

    it("sees a file another program delivers right after a listing, within the same timestamp tick", async () => {
      await store.deliver("alice", message(1));
      const inbox = await store.mailbox("alice", "INBOX");
      await inbox.status();
      await writeFile(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      expect((await inbox.status()).messages.map((m) => m.uid)).to.deep.equal([1, 2]);
    });

    it("once new/ and cur/ have settled, lists them only after they change, and then sees what another program did", async function () {
      this.timeout(30_000);
      const [one, two] = [await store.deliver("alice", message(1)), await store.deliver("alice", message(2))];
      const inbox = (await store.mailbox("alice", "INBOX")) as MaildirMailbox;
      await inbox.storeFlags([two], "add", ["\\Seen"]);
      await new Promise((resolve) => setTimeout(resolve, DIR_SETTLE_MS + 300));
      await inbox.status();
      const listed = inbox.listings;
      const unchanged = await inbox.status();
      expect(inbox.listings).to.equal(listed);
      expect(unchanged.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [one, []],
        [two, ["\\Seen"]],
      ]);
      // Another program delivers one, flags one and deletes one, all at once.
      const [seen] = await readdir(path.join(maildir, "cur"));
      const [fresh] = await readdir(path.join(maildir, "new"));
      await writeFile(path.join(maildir, "new", "1000000000.foreign.host"), message(8));
      await rename(path.join(maildir, "new", fresh!), path.join(maildir, "cur", `${fresh}:2,F`));
      await unlink(path.join(maildir, "cur", seen!));
      const changed = await inbox.status();
      expect(inbox.listings).to.equal(listed + 1);
      expect(changed.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
        [one, ["\\Flagged"]],
        [3, []],
      ]);
    });
  });
});

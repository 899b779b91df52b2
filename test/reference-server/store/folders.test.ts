// Mailbox hierarchy for IMAP: create, list, delete, rename (with inferiors,
// and the INBOX special case) and subscriptions, on real Maildir++ folders.

import { expect } from "chai";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { changeLetters } from "../../../reference-server/store/flags.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import type { FolderMailStore } from "../../../reference-server/store/types.ts";
import { InvalidName, MailboxExists, MailboxNotFound } from "../../../reference-server/store/types.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("store: folders", () => {
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

  it("creates Maildir++ folders, lists them after INBOX, and refuses duplicates", async () => {
    expect(await store.listMailboxes("alice")).to.deep.equal(["INBOX"]);
    await store.createMailbox("alice", "Sent");
    await store.createMailbox("alice", "Archive/2024");
    for (const sub of ["tmp", "new", "cur", "maildirfolder"]) await stat(path.join(maildir, ".Archive.2024", sub));
    expect(await store.listMailboxes("alice")).to.deep.equal(["INBOX", "Archive/2024", "Sent"]);
    expect(await rejection(() => store.createMailbox("alice", "Sent"))).to.be.instanceOf(MailboxExists);
    expect(await rejection(() => store.createMailbox("alice", "inbox"))).to.be.instanceOf(MailboxExists);
    expect(await rejection(() => store.mailbox("alice", "Drafts"))).to.be.instanceOf(MailboxNotFound);
  });

  it("asks the disk on every open whether a folder exists, so another program's removal or creation counts at once", async () => {
    await store.createMailbox("alice", "Sent");
    await store.mailbox("alice", "Sent");
    await rm(path.join(maildir, ".Sent"), { recursive: true });
    expect(await rejection(() => store.mailbox("alice", "Sent"))).to.be.instanceOf(MailboxNotFound);
    // A directory without cur/ is no Maildir, hence no folder.
    await mkdir(path.join(maildir, ".Drafts"));
    expect(await rejection(() => store.mailbox("alice", "Drafts"))).to.be.instanceOf(MailboxNotFound);
    for (const sub of ["tmp", "new", "cur"]) await mkdir(path.join(maildir, ".Drafts", sub));
    expect((await (await store.mailbox("alice", "Drafts")).status()).messages).to.deep.equal([]);
  });

  it("keeps each folder's own UIDs", async () => {
    await store.createMailbox("alice", "Sent");
    const sent = await store.mailbox("alice", "Sent");
    expect(await sent.append(Buffer.from("a\r\n"))).to.equal(1);
    expect(await store.deliver("alice", Buffer.from("b\r\n"))).to.equal(1);
    expect(await sent.append(Buffer.from("c\r\n"))).to.equal(2);
  });

  it("deletes a folder with its messages, retires open handles, and a new one gets a greater UIDVALIDITY", async () => {
    await store.createMailbox("alice", "Old");
    await store.createMailbox("alice", "Old/Child");
    const old = await store.mailbox("alice", "Old");
    await old.append(Buffer.from("x\r\n"));
    const before = await old.status();
    await store.deleteMailbox("alice", "Old");
    expect(await store.listMailboxes("alice")).to.deep.equal(["INBOX", "Old/Child"]);
    expect(await rejection(() => old.status())).to.be.instanceOf(MailboxNotFound);
    expect((await readdir(maildir)).filter((f) => f.startsWith("mailconform-trash"))).to.deep.equal([]);

    await store.createMailbox("alice", "Old");
    const again = await (await store.mailbox("alice", "Old")).status();
    expect(again.messages).to.deep.equal([]);
    expect(again.uidValidity).to.be.greaterThan(before.uidValidity);
    expect(await rejection(() => store.deleteMailbox("alice", "INBOX"))).to.be.instanceOf(InvalidName);
    expect(await rejection(() => store.deleteMailbox("alice", "Nope"))).to.be.instanceOf(MailboxNotFound);
  });

  it("renames a folder with its inferiors, keeping UIDVALIDITY and UIDs", async () => {
    await store.createMailbox("alice", "Work");
    await store.createMailbox("alice", "Work/2024");
    await store.createMailbox("alice", "Workshop");
    const work = await store.mailbox("alice", "Work");
    const uid = await work.append(Buffer.from("w\r\n"), { flags: ["\\Seen", "Project"] });
    const before = await work.status();
    await store.renameMailbox("alice", "Work", "Jobs");
    expect(await store.listMailboxes("alice")).to.deep.equal(["INBOX", "Jobs", "Jobs/2024", "Workshop"]);
    expect(await rejection(() => work.status())).to.be.instanceOf(MailboxNotFound);
    const jobs = await (await store.mailbox("alice", "Jobs")).status();
    expect(jobs.uidValidity).to.equal(before.uidValidity);
    expect(jobs.messages.map((m) => [m.uid, m.flags])).to.deep.equal([[uid, ["\\Seen", "Project"]]]);
    expect(await rejection(() => store.renameMailbox("alice", "Jobs", "Workshop"))).to.be.instanceOf(MailboxExists);
    expect(await rejection(() => store.renameMailbox("alice", "Gone", "Other"))).to.be.instanceOf(MailboxNotFound);
    expect(await rejection(() => store.renameMailbox("alice", "Jobs", "INBOX"))).to.be.instanceOf(MailboxExists);
  });

  it("renames INBOX by moving its messages into the new mailbox and leaving INBOX empty", async () => {
    await store.deliver("alice", Buffer.from("one\r\n"));
    const inbox = await store.mailbox("alice", "INBOX");
    await inbox.append(Buffer.from("two\r\n"), { flags: ["\\Flagged", "Keep"] });
    const expunged: number[][] = [];
    inbox.watch((change) => {
      if (change.kind === "expunged") expunged.push(change.uids);
    });
    await store.renameMailbox("alice", "INBOX", "Old Mail");

    expect((await inbox.status()).messages).to.deep.equal([]);
    expect(expunged).to.deep.equal([[1, 2]]);
    const moved = await store.mailbox("alice", "Old Mail");
    const status = await moved.status();
    expect(status.messages.map((m) => [m.uid, m.flags])).to.deep.equal([
      [1, []],
      [2, ["\\Flagged", "Keep"]],
    ]);
    expect((await moved.read(2)).toString()).to.equal("two\r\n");
    expect(await store.deliver("alice", Buffer.from("three\r\n"))).to.equal(3);
  });

  it("keeps subscriptions across reopening, whether or not the mailbox exists", async () => {
    await store.createMailbox("alice", "a.b/c");
    await store.subscribe("alice", "a.b/c");
    await store.subscribe("alice", "inbox");
    await store.subscribe("alice", "Later");
    await store.subscribe("alice", "Later");
    await store.unsubscribe("alice", "Nothing");
    const again = await openMaildirStore(temp.root);
    expect(await again.listSubscriptions("alice")).to.deep.equal(["INBOX", "Later", "a.b/c"]);
    await again.unsubscribe("alice", "Later");
    expect(await again.listSubscriptions("alice")).to.deep.equal(["INBOX", "a.b/c"]);
  });

  it('speaks "." as the hierarchy delimiter when configured, on the same disk layout', async () => {
    await store.createMailbox("alice", "Lists/node");
    const dotted = await openMaildirStore(temp.root, { hierarchyDelimiter: "." });
    expect(dotted.hierarchyDelimiter).to.equal(".");
    expect(await dotted.listMailboxes("alice")).to.deep.equal(["INBOX", "Lists.node"]);
    await dotted.createMailbox("alice", "Lists.deno");
    expect(await store.listMailboxes("alice")).to.deep.equal(["INBOX", "Lists/deno", "Lists/node"]);
  });
});

describe("store: flag letters", () => {
  it("changes only the system-flag letters, keeping P and Dovecot's keyword letters, in ASCII order", () => {
    expect(changeLetters("PSa", "set", new Set(["F"]))).to.equal("FPa");
    expect(changeLetters("PSa", "add", new Set(["T", "S"]))).to.equal("PSTa");
    expect(changeLetters("DFPRSTa", "remove", new Set(["S", "T"]))).to.equal("DFPRa");
  });
});

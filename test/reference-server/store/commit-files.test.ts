// The descriptors a mailbox keeps for commits: the journal is created on
// first use and appended at its end, directory syncs work, and close() while an
// operation is in flight neither breaks it nor lets a later one write through
// a stale descriptor.

import { expect } from "chai";
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { CommitFiles } from "../../../reference-server/store/commit-files.ts";
import { ensureMaildir } from "../../../reference-server/store/maildir.ts";
import { MODSEQ_FILE } from "../../../reference-server/store/modseq-log.ts";
import { UID_JOURNAL_FILE } from "../../../reference-server/store/uid-journal.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

describe("store: commit files", () => {
  let temp: TempRoot;
  let files: CommitFiles;
  const journal = () => readFile(path.join(temp.root, UID_JOURNAL_FILE), "utf8");

  beforeEach(async () => {
    temp = await makeTempRoot();
    await ensureMaildir(temp.root, false);
    files = new CommitFiles(temp.root);
  });
  afterEach(async () => {
    files.close();
    await temp.remove();
  });

  it("creates the journal on first use and appends at its end", async () => {
    // One at a time, as the mailbox lock has it: concurrent appends may land in any order.
    for (const line of ["a\n", "b\n", "c\n"]) await files.appendJournal(Buffer.from(line));
    expect(await journal()).to.equal("a\nb\nc\n");
    await files.syncDir("new");
    await files.syncDir("cur");
    await files.truncateJournal(true);
    expect(await journal()).to.equal("");
  });

  it("finishes an operation in flight across close(), then opens afresh", async () => {
    const inFlight = files.appendJournal(Buffer.from("before\n"));
    files.close();
    await inFlight;
    await files.appendJournal(Buffer.from("after\n"));
    files.close();
    files.close();
    await files.appendJournal(Buffer.from("again\n"));
    expect(await journal()).to.equal("before\nafter\nagain\n");
  });

  it("appends to the mod-sequence log through one descriptor, and follows a file renamed over it", async () => {
    const modseq = () => readFile(path.join(temp.root, MODSEQ_FILE), "utf8");
    await files.appendModseq(Buffer.from("1\n"));
    await files.appendModseq(Buffer.from("2\n"));
    expect(await modseq()).to.equal("1\n2\n");
    // A compaction: a new file renamed over the log. The held descriptor still names the old one.
    await writeFile(path.join(temp.root, "snapshot"), "S\n");
    await rename(path.join(temp.root, "snapshot"), path.join(temp.root, MODSEQ_FILE));
    files.modseqReplaced();
    await files.appendModseq(Buffer.from("3\n"));
    expect(await modseq()).to.equal("S\n3\n");
  });

  it("fails a directory sync of a missing directory, and recovers once it exists", async () => {
    const missing = new CommitFiles(path.join(temp.root, "nowhere"));
    let caught: unknown;
    try {
      await missing.syncDir("new");
    } catch (error) {
      caught = error;
    }
    expect((caught as NodeJS.ErrnoException).code).to.equal("ENOENT");
    await ensureMaildir(path.join(temp.root, "nowhere"), false);
    await missing.syncDir("new");
    missing.close();
  });
});

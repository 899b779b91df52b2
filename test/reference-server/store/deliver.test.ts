// How a message file comes into a Maildir (store/deliver.ts): staged in tmp/,
// published into new/ or cur/ by one rename, taken out again on failure. The
// first renames of a turn are made on the calling thread, so a delivery's
// commit waits for no thread-pool round trip before its directory fsync; past
// RENAMES_NOW_PER_TURN in one turn they go through the pool. Injected rename
// faults still reach both kinds.
// Standards: Maildir delivery (cr.yp.to/proto/maildir.html).

import { expect } from "chai";
import fs, { existsSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";
import { diskError, injectDiskFaults } from "../../../reference-server/store/disk-faults.ts";
import { discardMessage, publishMessage, RENAMES_NOW_PER_TURN, stageMessage, type StagedMessage } from "../../../reference-server/store/deliver.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

/** Runs `work` counting renameSync calls (syncBuiltinESMExports makes the store's named import see the counter). */
async function countingRenamesNow(work: () => Promise<void>): Promise<number> {
  let calls = 0;
  const original = fs.renameSync;
  (fs as { renameSync: typeof fs.renameSync }).renameSync = (from, to) => {
    calls++;
    original(from, to);
  };
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    (fs as { renameSync: typeof fs.renameSync }).renameSync = original;
    syncBuiltinESMExports();
  }
  return calls;
}

describe("store/deliver", () => {
  let temp: TempRoot;
  let maildir: string;

  beforeEach(async () => {
    temp = await makeTempRoot();
    maildir = path.join(temp.root, "Maildir");
    for (const sub of ["tmp", "new", "cur"]) await mkdir(path.join(maildir, sub), { recursive: true });
  });

  afterEach(async () => {
    injectDiskFaults(null);
    await temp.remove();
  });

  it("stages the bytes in tmp/ and publishes them into new/ under the same name", async () => {
    const staged = await stageMessage(maildir, Buffer.from("Subject: a\r\n\r\nbody\r\n"));
    expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([staged.base]);
    const file = await publishMessage(maildir, staged, null);
    expect(file).to.deep.equal({ sub: "new", file: staged.base, info: "" });
    expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
    expect(await readFile(path.join(maildir, "new", staged.base), "utf8")).to.equal("Subject: a\r\n\r\nbody\r\n");
  });

  it("stages a message handed over in pieces as their bytes in order, its size their sum, over short writes and past IOV_MAX pieces", async () => {
    // 1500 pieces (more than one writev(2) takes), empty ones among them; each writev writes at most 1000 octets.
    const pieces = Array.from({ length: 1500 }, (_, i) => Buffer.from(i % 7 === 0 ? "" : `line ${i}\r\n`));
    const original = fs.writev;
    let calls = 0;
    (fs as { writev: unknown }).writev = (fd: number, buffers: NodeJS.ArrayBufferView[], position: number | null, callback: (e: Error | null, n: number) => void) => {
      calls++;
      expect(buffers.length).to.be.at.most(1024);
      let budget = 1000;
      const cut = buffers.map((b) => {
        const n = Math.min(budget, b.byteLength);
        budget -= n;
        return Buffer.from(b.buffer, b.byteOffset, n);
      });
      original(fd, cut, position, callback);
    };
    syncBuiltinESMExports();
    let staged: StagedMessage;
    try {
      staged = await stageMessage(maildir, pieces);
    } finally {
      (fs as { writev: typeof fs.writev }).writev = original;
      syncBuiltinESMExports();
    }
    const whole = Buffer.concat(pieces);
    expect(staged.size).to.equal(whole.length);
    expect(calls).to.equal(Math.ceil(whole.length / 1000));
    expect((await readFile(path.join(maildir, "tmp", staged.base))).equals(whole)).to.equal(true);
  });

  it("publishes a flagged message into cur/ with its info letters", async () => {
    const staged = await stageMessage(maildir, Buffer.from("x\r\n"));
    const file = await publishMessage(maildir, staged, "FS");
    expect(file).to.deep.equal({ sub: "cur", file: `${staged.base}:2,FS`, info: "FS" });
    expect(await readdir(path.join(maildir, "cur"))).to.deep.equal([`${staged.base}:2,FS`]);
  });

  it("renames the first messages of a turn before publishMessage returns, the rest through the thread pool", async () => {
    const count = RENAMES_NOW_PER_TURN + 3;
    const staged: StagedMessage[] = [];
    for (let i = 0; i < count + 1; i++) staged.push(await stageMessage(maildir, Buffer.from(`message ${i}\r\n`)));
    const renamedNow = await countingRenamesNow(async () => {
      // A fresh turn: earlier turns' renames no longer count.
      await new Promise((resolve) => setImmediate(resolve));
      const publishing = staged.slice(0, count).map((s, i) => {
        const published = publishMessage(maildir, s, null);
        // Made before the call returned: no thread-pool round trip in between.
        if (i < RENAMES_NOW_PER_TURN) expect(existsSync(path.join(maildir, "new", s.base))).to.equal(true);
        return published;
      });
      await Promise.all(publishing);
      // The next turn may rename at once again.
      await new Promise((resolve) => setImmediate(resolve));
      const next = publishMessage(maildir, staged[count]!, null);
      expect(existsSync(path.join(maildir, "new", staged[count]!.base))).to.equal(true);
      await next;
    });
    expect(renamedNow).to.equal(RENAMES_NOW_PER_TURN + 1);
    expect((await readdir(path.join(maildir, "new"))).sort()).to.deep.equal(staged.map((s) => s.base).sort());
    expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
  });

  it("fails a rename the disk refuses, on either path, and leaves the file in tmp/", async () => {
    const staged: StagedMessage[] = [];
    for (let i = 0; i < RENAMES_NOW_PER_TURN + 1; i++) staged.push(await stageMessage(maildir, Buffer.from(`m${i}\r\n`)));
    injectDiskFaults((operation, file) => (operation === "rename" ? diskError("EIO", operation, file) : null));
    await new Promise((resolve) => setImmediate(resolve));
    const outcomes = await Promise.allSettled(staged.map((s) => publishMessage(maildir, s, null)));
    expect(outcomes.map((o) => o.status)).to.deep.equal(staged.map(() => "rejected"));
    expect(await readdir(path.join(maildir, "new"))).to.deep.equal([]);
    expect((await readdir(path.join(maildir, "tmp"))).length).to.equal(staged.length);
  });

  it("discards a staged or a published message", async () => {
    const kept = await stageMessage(maildir, Buffer.from("a\r\n"));
    const published = await stageMessage(maildir, Buffer.from("b\r\n"));
    const file = await publishMessage(maildir, published, null);
    await discardMessage(maildir, kept, null);
    await discardMessage(maildir, published, file);
    // Gone already: not an error.
    await discardMessage(maildir, kept, null);
    expect(await readdir(path.join(maildir, "tmp"))).to.deep.equal([]);
    expect(await readdir(path.join(maildir, "new"))).to.deep.equal([]);
  });
});

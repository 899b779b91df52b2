// The process-wide cache of message files (store/message-cache.ts): bounded
// in octets with the least recently used entry out first, large messages
// never kept, and a second read of a message served from memory.
// Standards: Maildir (a delivered file is never modified).

import { expect } from "chai";
import { readdir, unlink } from "node:fs/promises";
import path from "node:path";
import { MessageCache } from "../../../reference-server/store/message-cache.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { MessageGone } from "../../../reference-server/store/types.ts";
import { makeTempRoot } from "./temp-root.ts";

describe("store: message cache", () => {
  it("keeps at most its octets, dropping the least recently used first", () => {
    const cache = new MessageCache(10, 6);
    cache.set("a", Buffer.alloc(4));
    cache.set("b", Buffer.alloc(4));
    expect(cache.get("a")?.length, "a is now the most recently used").to.equal(4);
    cache.set("c", Buffer.alloc(4));
    expect(cache.get("b"), "b was the least recently used").to.equal(undefined);
    expect([cache.get("a")?.length, cache.get("c")?.length]).to.deep.equal([4, 4]);
    expect(cache.heldOctets).to.equal(8);
    cache.set("big", Buffer.alloc(7));
    expect(cache.get("big"), "over the per-message limit").to.equal(undefined);
    cache.set("a", Buffer.alloc(2));
    cache.delete("c");
    expect([cache.size, cache.heldOctets]).to.deep.equal([1, 2]);
  });

  it("a message read once is read again from memory, and an expunge drops it", async () => {
    const temp = await makeTempRoot();
    try {
      const store = await openMaildirStore(temp.root);
      const bytes = Buffer.from("Subject: cached\r\n\r\nbody\r\n");
      const uid = await store.deliver("carol", bytes);
      const inbox = await store.mailbox("carol", "INBOX");
      expect((await inbox.read(uid)).equals(bytes)).to.equal(true);
      // The file gone behind the store's back: the bytes still come, without a disk read.
      const newDir = path.join(temp.root, "carol", "Maildir", "new");
      for (const file of await readdir(newDir)) await unlink(path.join(newDir, file));
      expect((await inbox.read(uid)).equals(bytes)).to.equal(true);
      await inbox.status();
      expect(await inbox.read(uid).then(() => "read", (e: unknown) => e instanceof MessageGone)).to.equal(true);
    } finally {
      await temp.remove();
    }
  });
});

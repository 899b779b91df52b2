// The per-mailbox mutex and POP3's maildrop lock (RFC 1939 §8).

import { expect } from "chai";
import { Mutex } from "../../../reference-server/store/locks.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { makeTempRoot, type TempRoot } from "./temp-root.ts";

describe("store: locks", () => {
  it("runs mutex sections one at a time, in call order, past a failing one", async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    let inside = 0;
    const section = (name: string, fail = false) =>
      mutex.run(async () => {
        inside += 1;
        expect(inside).to.equal(1);
        log.push(`${name}>`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`<${name}`);
        inside -= 1;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([section("a"), section("b", true), section("c")]);
    expect(log).to.deep.equal(["a>", "<a", "b>", "<b", "c>", "<c"]);
    expect(results.map((r) => r.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
  });

  describe("maildrop", () => {
    let temp: TempRoot;
    beforeEach(async () => {
      temp = await makeTempRoot();
    });
    afterEach(async () => {
      await temp.remove();
    });

    it("is exclusive per user, released idempotently, and can be taken again", async () => {
      const store = await openMaildirStore(temp.root);
      const first = store.tryLockMaildrop("alice");
      expect(first).to.not.equal(null);
      expect(store.tryLockMaildrop("alice")).to.equal(null);
      const bob = store.tryLockMaildrop("bob");
      expect(bob).to.not.equal(null);

      first!.release();
      const second = store.tryLockMaildrop("alice");
      expect(second).to.not.equal(null);
      // A late second release of the old lock must not free the new holder's lock.
      first!.release();
      expect(store.tryLockMaildrop("alice")).to.equal(null);
      second!.release();
      bob!.release();
      expect(store.tryLockMaildrop("alice")).to.not.equal(null);
    });
  });
});

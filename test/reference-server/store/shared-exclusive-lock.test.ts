// The per-user name lock behind withStableNames: shared sections overlap, an
// exclusive one (RENAME, DELETE, CREATE) runs alone, and a waiting exclusive
// section holds back later shared ones so a stream of APPENDs cannot starve it.
// Standards: none (in-process locking, see reference-server/store/locks.ts).

import { expect } from "chai";
import { SharedExclusiveLock } from "../../../reference-server/store/locks.ts";

describe("store: SharedExclusiveLock", () => {
  it("overlaps shared sections, runs an exclusive one alone, and keeps FIFO order across kinds", async () => {
    const lock = new SharedExclusiveLock();
    const log: string[] = [];
    const gates: (() => void)[] = [];
    const section = (name: string) => async () => {
      log.push(`${name}>`);
      await new Promise<void>((resolve) => gates.push(resolve));
      log.push(`<${name}`);
    };
    const a = lock.runShared(section("a"));
    const b = lock.runShared(section("b"));
    const x = lock.runExclusive(section("x"));
    const c = lock.runShared(section("c"));
    await Promise.resolve();
    expect(log).to.deep.equal(["a>", "b>"]);
    expect(lock.changing).to.equal(false);
    for (const open of gates.splice(0)) open();
    await Promise.all([a, b]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.slice(4)).to.deep.equal(["x>"]);
    expect([lock.changing, lock.changes]).to.deep.equal([true, 1]);
    const settled = lock.settled();
    gates.splice(0)[0]!();
    await x;
    await settled;
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.slice(-1)).to.deep.equal(["c>"]);
    gates.splice(0)[0]!();
    await c;
    expect(lock.changing).to.equal(false);
  });

  it("releases the lock when a section throws", async () => {
    const lock = new SharedExclusiveLock();
    await lock.runExclusive(async () => Promise.reject(new Error("boom"))).catch(() => undefined);
    expect(await lock.runShared(async () => "after")).to.equal("after");
  });
});

import { expect } from "chai";
import { describeShard, parseShard, shardTests } from "../../../runner/plan/shard.ts";
import { SelectionError } from "../../../runner/plan/select.ts";
import { testCase } from "../report/sample-run.ts";

describe("plan/shard", function () {
  const ids = Array.from({ length: 148 }, (_, i) => `smtp.t${String(i).padStart(3, "0")}`);
  // Shuffled input: the split must not depend on load order.
  const tests = [...ids].reverse().map((id) => testCase(id));

  it("parses i/n", function () {
    expect(parseShard("2/4")).to.deep.equal({ index: 2, total: 4 });
    expect(parseShard(" 1/1 ")).to.deep.equal({ index: 1, total: 1 });
  });

  for (const bad of ["0/4", "5/4", "2/0", "2", "a/b", "-1/4", "1/4/2", ""]) {
    it(`rejects ${JSON.stringify(bad)}`, function () {
      expect(() => parseShard(bad)).to.throw(SelectionError, /--shard/);
    });
  }

  it("splits 148 tests into 4 shards of 37, disjoint and complete, over sorted ids", function () {
    const shards = [1, 2, 3, 4].map((i) => shardTests(tests, { index: i, total: 4 }).map((t) => t.id));
    expect(shards.map((s) => s.length)).to.deep.equal([37, 37, 37, 37]);
    expect(shards.flat()).to.deep.equal(ids);
    expect(shards[1]![0]).to.equal("smtp.t037");
    expect(describeShard({ index: 2, total: 4 }, shards[1]!.length, tests.length)).to.equal("shard 2/4: 37 of 148 tests");
  });

  it("gives the remainder to the first shards, one each", function () {
    const sizes = [1, 2, 3].map((i) => shardTests(tests.slice(0, 10), { index: i, total: 3 }).length);
    expect(sizes).to.deep.equal([4, 3, 3]);
  });

  it("leaves a shard empty when there are more shards than tests", function () {
    expect(shardTests(tests.slice(0, 2), { index: 3, total: 3 })).to.deep.equal([]);
  });

  it("is stable: the same input gives the same shard", function () {
    const a = shardTests(tests, { index: 3, total: 7 }).map((t) => t.id);
    const b = shardTests([...tests].sort(() => 0.5 - Math.random()), { index: 3, total: 7 }).map((t) => t.id);
    expect(a).to.deep.equal(b);
  });
});

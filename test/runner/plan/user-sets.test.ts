import { expect } from "chai";
import { userSets } from "../../../runner/plan/user-sets.ts";
import { testCase } from "../report/sample-run.ts";

describe("plan/user-sets", function () {
  const users = ["a", "b", "c", "d", "e"];
  const one = [testCase("smtp.a", { usersNeeded: 1 }), testCase("imap.b", { usersNeeded: 0 })];
  const two = [...one, testCase("smtp.c", { usersNeeded: 2 })];

  it("gives each slot as many users as the hungriest test needs, disjoint, the first user first", function () {
    expect(userSets(users, 4, one)).to.deep.equal([["a"], ["b"], ["c"], ["d"]]);
    expect(userSets(users, 8, two)).to.deep.equal([["a", "b"], ["c", "d"]]);
  });

  it("shares the users when fewer than two sets fit or only one job runs", function () {
    expect(userSets(users, 1, one)).to.equal(undefined);
    expect(userSets(["a", "b", "c"], 4, two)).to.equal(undefined);
    expect(userSets([], 4, one)).to.equal(undefined);
  });

  it("treats tests that need no user as needing one slot user", function () {
    expect(userSets(["a", "b"], 2, [testCase("smtp.greeting", { usersNeeded: 0 })])).to.deep.equal([["a"], ["b"]]);
  });
});

// The console line of the account sweep: counts in words that agree with them,
// and one line per account it could not reach.

import { expect } from "chai";
import { describe, it } from "mocha";
import { describeSweep } from "../../../runner/cleanup/sweep.ts";

describe("cleanup: the sweep's console line", () => {
  it("says nothing when nothing was left behind", () => {
    expect(describeSweep({ removed: new Map([["alice", { mailboxes: 0, messages: 0 }]]), problems: [] })).to.deep.equal([]);
  });

  it("adds up every user's removals, singular and plural", () => {
    const report = { removed: new Map([["alice", { mailboxes: 1, messages: 2 }], ["bob", { mailboxes: 0, messages: 1 }]]), problems: [] };
    expect(describeSweep(report)).to.deep.equal(["cleanup: removed 3 messages and 1 mailbox this run left behind"]);
    const one = { removed: new Map([["alice", { mailboxes: 2, messages: 1 }]]), problems: ["bob (IMAP): login refused"] };
    expect(describeSweep(one)).to.deep.equal(["cleanup: removed 1 message and 2 mailboxes this run left behind", "cleanup: could not sweep bob (IMAP): login refused"]);
  });
});

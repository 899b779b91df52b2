// The console line of the account sweep: counts in words that agree with them,
// and one line per account it could not reach.

import { expect } from "chai";
import { describe, it } from "mocha";
import { describeSweep } from "../../../runner/cleanup/sweep.ts";

describe("cleanup: the sweep's console line", () => {
  it("says nothing when nothing was left behind", () => {
    expect(describeSweep({ token: "t0k3n1", removed: new Map([["alice", { mailboxes: 0, messages: 0 }]]), problems: [], notes: [] })).to.deep.equal([]);
  });

  it("adds up every user's removals, singular and plural", () => {
    const report = { token: "t0k3n1", removed: new Map([["alice", { mailboxes: 1, messages: 2 }], ["bob", { mailboxes: 0, messages: 1 }]]), problems: [], notes: [] };
    expect(describeSweep(report)).to.deep.equal(["cleanup: removed 3 messages and 1 mailbox this run left behind"]);
    const one = { token: "t0k3n1", removed: new Map([["alice", { mailboxes: 2, messages: 1 }]]), problems: ["bob (IMAP): login refused"], notes: [] };
    expect(describeSweep(one)).to.deep.equal(["cleanup: removed 1 message and 2 mailboxes this run left behind", "cleanup: could not sweep bob (IMAP): login refused"]);
  });

  it("says what a stopped sweep left, and what it could not wait for", () => {
    const left = new Map([["alice", { mailboxes: 2, messages: 1 }], ["bob", undefined]]);
    const notes = ["mail the run sent may still arrive for bob after this sweep: the cleanup's marker message was not in the mailbox within 15 s"];
    expect(describeSweep({ token: "t0k3n1", removed: new Map(), problems: [], notes, left })).to.deep.equal([
      "cleanup skipped: left 2 mailboxes named mc-t0k3n1-… and 1 message carrying t0k3n1 (alice); not looked at: bob",
      `cleanup: ${notes[0]}`,
    ]);
    expect(describeSweep({ token: "t0k3n1", removed: new Map(), problems: [], notes: [], left: new Map([["alice", undefined]]) })).to.deep.equal([
      "cleanup skipped: mailboxes named mc-t0k3n1-… and messages carrying t0k3n1 may be left in the account of alice",
    ]);
  });
});

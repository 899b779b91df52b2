// The two threading algorithms on hand-made message facts: the cases of
// RFC 5256's REFERENCES steps (a reply chain, a truncated References line,
// loops, duplicate Message-IDs, dummies pruned or kept, subject merging) and
// ORDEREDSUBJECT, written as THREAD responses.

import { expect } from "chai";
import type { Sortable } from "../../../../reference-server/imap/sort/criteria.ts";
import { baseSubject } from "../../../../reference-server/imap/sort/base-subject.ts";
import { collationKey } from "../../../../reference-server/imap/sort/collation.ts";
import { orderedSubject } from "../../../../reference-server/imap/thread/ordered-subject.ts";
import { referencesThreads } from "../../../../reference-server/imap/thread/references.ts";
import { threadResponse } from "../../../../reference-server/imap/thread/tree.ts";

interface Fact {
  subject: string;
  hour: number;
  id?: string;
  refs?: string[];
}

function sortables(facts: Fact[]): Sortable[] {
  return facts.map((f, position) => {
    const subject = baseSubject(f.subject);
    const fields = {
      sentDate: Date.UTC(2003, 7, 10, f.hour),
      subject: collationKey(subject.text),
      from: Buffer.alloc(0),
      to: Buffer.alloc(0),
      cc: Buffer.alloc(0),
      displayFrom: Buffer.alloc(0),
      displayTo: Buffer.alloc(0),
      replyOrForward: subject.replyOrForward,
      messageId: f.id ?? null,
      references: f.refs ?? [],
    };
    return { position, size: 0, internalDate: 0, fields };
  });
}

const references = (facts: Fact[]): string => threadResponse(referencesThreads(sortables(facts)), (m) => m.position + 1);
const ordered = (facts: Fact[]): string => threadResponse(orderedSubject(sortables(facts)), (m) => m.position + 1);

describe("imap thread: REFERENCES", () => {
  it("a reply chain, a truncated References line and siblings by sent date", () => {
    expect(
      references([
        { subject: "a", hour: 1, id: "1@x" },
        { subject: "Re: a", hour: 3, id: "2@x", refs: ["1@x"] },
        { subject: "Re: a", hour: 2, id: "3@x", refs: ["1@x"] },
        { subject: "Re: a", hour: 4, id: "4@x", refs: ["2@x"] }, // truncated: only the parent
      ]),
    ).to.equal("THREAD (1 (3)(2 4))");
  });
  it("a dummy with one child is dropped, one with two children at the top level is kept", () => {
    expect(
      references([
        { subject: "x", hour: 1, id: "1@x", refs: ["lost@x"] },
        { subject: "y", hour: 2, id: "2@x", refs: ["gone@x"] },
        { subject: "z", hour: 3, id: "3@x", refs: ["gone@x"] },
      ]),
    ).to.equal("THREAD (1)((2)(3))");
  });
  it("a message that would become its own ancestor is not linked (no loop)", () => {
    expect(
      references([
        { subject: "p", hour: 1, id: "1@x", refs: ["2@x"] },
        { subject: "q", hour: 2, id: "2@x", refs: ["1@x"] },
      ]),
    ).to.equal("THREAD (2 1)");
  });
  it("a duplicate Message-ID belongs to the first message only", () => {
    expect(
      references([
        { subject: "p", hour: 1, id: "1@x" },
        { subject: "q", hour: 2, id: "1@x" },
        { subject: "r", hour: 3, id: "3@x", refs: ["1@x"] },
      ]),
    ).to.equal("THREAD (1 3)(2)");
  });
  it("threads with the same base subject merge: a reply under the original, two originals under a dummy", () => {
    expect(
      references([
        { subject: "Re: s", hour: 1, id: "1@x" },
        { subject: "s", hour: 2, id: "2@x" },
        { subject: "t", hour: 3, id: "3@x" },
        { subject: "t", hour: 4, id: "4@x" },
      ]),
    ).to.equal("THREAD (2 1)((3)(4))");
  });
  it("no messages: an empty THREAD response", () => {
    expect(references([])).to.equal("THREAD");
  });
});

describe("imap thread: ORDEREDSUBJECT", () => {
  it("groups by base subject; the first is the parent of all others; groups by their first date", () => {
    expect(
      ordered([
        { subject: "b", hour: 5 },
        { subject: "Re: a", hour: 2 },
        { subject: "a", hour: 3 },
        { subject: "A", hour: 4 },
        { subject: "[fwd: b]", hour: 6 },
        { subject: "c", hour: 1 },
      ]),
    ).to.equal("THREAD (6)(2 (3)(4))(1 5)");
  });
});

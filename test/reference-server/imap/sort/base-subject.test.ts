// Base subject extraction, step by step as RFC 5256 §2.1 lists them, and
// which removals make a message a reply or forward for REFERENCES.

import { expect } from "chai";
import { baseSubject } from "../../../../reference-server/imap/sort/base-subject.ts";
import { collationKey, compareKeys } from "../../../../reference-server/imap/sort/collation.ts";

describe("imap sort: base subject (RFC 5256 §2.1)", () => {
  const cases: [subject: string, base: string, reply: boolean][] = [
    ["hello", "hello", false],
    ["Re: hello", "hello", true],
    ["RE: Fwd: FW: hello", "hello", true],
    ["re : hello", "hello", true], // subj-refwd allows WSP before the colon
    ["Re[2]: hello", "hello", true], // a blob inside subj-refwd
    ["[list] Re: hello", "hello", true], // blobs before a subj-refwd go with it
    ["[list] hello", "hello", false], // (4) a leading blob goes when text is left
    ["[list]", "[list]", false], // ... and stays when it is all there is
    ["[a] [b]", "[b]", false],
    ["hello (fwd)", "hello", true], // (2) a trailer
    ["hello (fwd) (FWD)  ", "hello", true],
    ["[fwd: hello]", "hello", true], // (6) subj-fwd-hdr and subj-fwd-trl
    ["[Fwd: Re: [list] hello (fwd)]", "hello", true],
    ["[fwd: hello", "[fwd: hello", false],
    ["  hello \t  world  ", "hello world", false], // (1) white space
    ["Re:", "", true],
    ["Reply: hello", "Reply: hello", false],
  ];
  for (const [subject, base, reply] of cases) {
    it(`${JSON.stringify(subject)} → ${JSON.stringify(base)}${reply ? " (reply or forward)" : ""}`, () => {
      expect(baseSubject(subject)).to.deep.equal({ text: base, replyOrForward: reply });
    });
  }
});

describe("imap sort: collation (i;unicode-casemap)", () => {
  const order = (a: string, b: string): number => Math.sign(compareKeys(collationKey(a), collationKey(b)));
  it("ignores case, and the empty string comes first", () => {
    expect(order("banana", "BANANA")).to.equal(0);
    expect(order("banana", "Cherry")).to.equal(-1);
    expect(order("", "a")).to.equal(-1);
  });
  it("folds case and compatibility forms outside ASCII", () => {
    expect(order("über", "ÜBER")).to.equal(0);
    expect(order("é", "E\u0301")).to.equal(0);
  });
});

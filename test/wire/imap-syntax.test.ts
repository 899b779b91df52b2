// IMAP's character classes, spelled once for the runner, the loader and the
// server: every octet's class against the RFC 3501 §9 definitions written out
// here independently, and the whole-word checks (atom, tag).

import { expect } from "chai";
import { isAstringChar, isAtom, isAtomChar, isListChar, isTag, isTagChar } from "../../wire/imap-syntax.ts";

describe("wire/imap-syntax", () => {
  // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
  const SPECIALS = new Set([..."(){ %*\"\\]"].map((c) => c.charCodeAt(0)));
  const ATOM_CHAR = (c: number) => c >= 0x21 && c <= 0x7e && !SPECIALS.has(c);

  it("classifies every octet as RFC 3501 §9 does", () => {
    for (let c = 0; c < 256; c++) {
      const atom = ATOM_CHAR(c);
      expect(isAtomChar(c), `ATOM-CHAR 0x${c.toString(16)}`).to.equal(atom);
      expect(isAstringChar(c), `ASTRING-CHAR 0x${c.toString(16)}`).to.equal(atom || c === 0x5d);
      expect(isListChar(c), `list-char 0x${c.toString(16)}`).to.equal(atom || c === 0x5d || c === 0x25 || c === 0x2a);
      expect(isTagChar(c), `tag char 0x${c.toString(16)}`).to.equal((atom || c === 0x5d) && c !== 0x2b);
    }
  });

  const WORDS: Array<[string, boolean, boolean]> = [
    // text, atom, tag
    ["A001", true, true],
    ["$Forwarded", true, true],
    ["a]b", false, true],
    ["a+b", true, false],
    ["", false, false],
    ["a b", false, false],
    ["\\Seen", false, false],
    ["caf\u00e9", false, false],
    ["x*", false, false],
  ];
  for (const [text, atom, tag] of WORDS) {
    it(`${JSON.stringify(text)}: atom ${atom}, tag ${tag}`, () => {
      expect(isAtom(text)).to.equal(atom);
      expect(isTag(text)).to.equal(tag);
    });
  }
});

// The transcript escaper: readable UTF-8 stays, control bytes and invalid
// sequences become escapes, long input is summarised.

import { expect } from "chai";
import { printable } from "../../wire/printable.ts";

describe("wire/printable", () => {
  const CASES: Array<[string, Buffer, string]> = [
    ["ASCII as is", Buffer.from("250 OK \\Seen"), "250 OK \\Seen"],
    ["CR, LF, TAB by name", Buffer.from("a\r\n\tb"), "a\\r\\n\\tb"],
    ["NUL and DEL as hex", Buffer.from([0x41, 0x00, 0x7f]), "A\\x00\\x7f"],
    ["valid UTF-8 kept", Buffer.from("Grüße ✓", "utf8"), "Grüße ✓"],
    ["lone continuation byte", Buffer.from([0x41, 0x80, 0x42]), "A\\x80B"],
    ["truncated sequence", Buffer.from([0xe2, 0x9c]), "\\xe2\\x9c"],
    ["overlong encoding", Buffer.from([0xc0, 0xaf]), "\\xc0\\xaf"],
    ["UTF-16 surrogate", Buffer.from([0xed, 0xa0, 0x80]), "\\xed\\xa0\\x80"],
    ["invalid byte 0xff", Buffer.from([0xff, 0xfe]), "\\xff\\xfe"],
  ];
  for (const [name, bytes, wanted] of CASES) {
    it(name, () => expect(printable(bytes)).to.equal(wanted));
  }

  it("summarises past the character limit", () => {
    expect(printable(Buffer.alloc(100, 0x61), 10)).to.equal(`${"a".repeat(10)}… (90 more octets)`);
  });
});

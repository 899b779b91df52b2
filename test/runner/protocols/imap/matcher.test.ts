// The IMAP token matcher on its own: how a pattern's atoms and quoted
// strings compare with a server's strings (case rules for BODYSTRUCTURE);
// count rules next to plain must rules.

import { expect } from "chai";
import { Matcher } from "../../../../runner/protocols/imap/matchers/tokens.ts";
import { checkUntagged, parseRule } from "../../../../runner/protocols/imap/matchers/untagged.ts";
import { parseResponse, tokenize, type ImapResponse } from "../../../../wire/imap-tokens.ts";
import * as A from "../../../support/ast.ts";

function matches(pattern: string, actual: string): boolean {
  return new Matcher(() => undefined).response(A.pattern(pattern).tokens, tokenize(actual), new Map());
}

describe("IMAP matcher: atoms and strings", () => {
  const BODY = '1 FETCH (BODY ("text" "plain" ("charset" "iso-8859-1") NIL NIL "8bit" 10 1))';
  it("an atom in the pattern matches a string case-insensitively", () => {
    expect(matches("1 FETCH (BODY (TEXT PLAIN (CHARSET ISO-8859-1) NIL NIL 8BIT 10 1))", BODY)).to.equal(true);
  });
  it("a quoted string in the pattern stays case-exact", () => {
    expect(matches('1 FETCH (BODY ("TEXT" "PLAIN" ("CHARSET" "ISO-8859-1") NIL NIL "8BIT" 10 1))', BODY)).to.equal(false);
    expect(matches('1 FETCH (BODY ("text" "plain" ("charset" "iso-8859-1") NIL NIL "8bit" 10 1))', BODY)).to.equal(true);
  });
  it("an atom still differs from a string with other text, and from NIL", () => {
    expect(matches("1 FETCH (BODY (TEXT HTML (CHARSET ISO-8859-1) NIL NIL 8BIT 10 1))", BODY)).to.equal(false);
    expect(matches('1 FETCH (BODY (TEXT PLAIN (CHARSET ISO-8859-1) NIL NIL 8BIT 10 1))', '1 FETCH (BODY ("text" NIL ("charset" "iso-8859-1") NIL NIL "8bit" 10 1))')).to.equal(false);
  });
});

describe("IMAP untagged rules: count next to must", () => {
  const rule = (pattern: string, count?: number): ReturnType<typeof parseRule> => parseRule(A.must(pattern, count), (t) => t.text);
  const responses = ['* LIST () "." a', '* LIST () "." b', '* LIST () "." c'].map(
    (l) => parseResponse(Buffer.from(l)) as Extract<ImapResponse, { kind: "untagged" }>,
  );
  const check = (rules: ReturnType<typeof rule>[], strict = false) => checkUntagged(rules, responses, false, strict, () => undefined, new Map());

  it("a count rule leaves the responses it counted to the must rules", () => {
    expect(check([rule("* LIST ...", 3), rule('* LIST () "." b'), rule('* LIST () "." c')])).to.equal(null);
  });
  it("the count still fails when the number differs", () => {
    expect(check([rule("* LIST ...", 2), rule('* LIST () "." b')])?.message).to.match(/expected 2 untagged responses/);
  });
  it("under strict, responses a count rule matched are not strays", () => {
    expect(check([rule("* LIST ...", 3), rule('* LIST () "." b')], true)).to.equal(null);
  });
});

describe("IMAP matcher: a flag that may be absent (\\Recent?)", () => {
  it("matches a flag list with or without it, and nothing else", () => {
    const pattern = "1 FETCH (FLAGS (\\Seen \\Recent?))";
    expect(matches(pattern, "1 FETCH (FLAGS (\\Seen \\Recent))")).to.equal(true);
    expect(matches(pattern, "1 FETCH (FLAGS (\\Seen))")).to.equal(true);
    expect(matches(pattern, "1 FETCH (FLAGS (\\Recent \\Seen \\Flagged))")).to.equal(false);
    expect(matches(pattern, "1 FETCH (FLAGS (\\Recent))")).to.equal(false);
    expect(matches(pattern, "1 FETCH (FLAGS (\\Seen \\Deleted))")).to.equal(false);
  });

  it("an empty flag list may consist of optional flags only; with ... extras pass too", () => {
    expect(matches("1 FETCH (FLAGS (\\Recent?))", "1 FETCH (FLAGS ())")).to.equal(true);
    expect(matches("1 FETCH (FLAGS (\\Recent? ...) UID 4)", "1 FETCH (UID 4 FLAGS (\\Seen))")).to.equal(true);
  });

  it("holds in every flag list (FLAGS, PERMANENTFLAGS); in a positional list the mark is just the flag, required", () => {
    expect(matches("FLAGS (\\Seen \\Recent?)", "FLAGS (\\Seen)")).to.equal(true);
    expect(matches("OK [PERMANENTFLAGS (\\Seen \\Recent?)] x", "OK [PERMANENTFLAGS (\\Seen)] x")).to.equal(true);
    expect(matches("1 FETCH (ENVELOPE (\\Recent?))", "1 FETCH (ENVELOPE ())")).to.equal(false);
    expect(matches("1 FETCH (ENVELOPE (\\Recent?))", "1 FETCH (ENVELOPE (\\Recent))")).to.equal(true);
  });
});

describe("IMAP matcher: STATUS items in any order", () => {
  // RFC 3501 §9 / RFC 9051 §9: status-att-list = status-att-val *(SP status-att-val) fixes no order,
  // so a pattern written in request order matches a server that answers in another.
  it("matches the items of a STATUS response by name, whatever their order", () => {
    expect(matches('* STATUS "box" (SIZE $size MESSAGES 1)', 'STATUS "box" (MESSAGES 1 SIZE 4096)')).to.equal(true);
    expect(matches("* STATUS box (MESSAGES 1 UIDVALIDITY $uv)", "STATUS box (UIDVALIDITY 77 MESSAGES 1)")).to.equal(true);
  });
  it("still compares every value, and every item must be there", () => {
    expect(matches('* STATUS "box" (SIZE $size MESSAGES 1)', 'STATUS "box" (MESSAGES 2 SIZE 4096)')).to.equal(false);
    expect(matches('* STATUS "box" (SIZE $size MESSAGES 1)', 'STATUS "box" (MESSAGES 1)')).to.equal(false);
  });
  it("binds a capture to its own item's value", () => {
    const bindings = new Map<string, string>();
    const matched = new Matcher(() => undefined).response(A.pattern("* STATUS box (MESSAGES 1 UIDVALIDITY $uv)").tokens, tokenize("STATUS box (UIDVALIDITY 77 MESSAGES 1)"), bindings);
    expect(matched).to.equal(true);
    expect(bindings.get("uv")).to.equal("77");
  });
});

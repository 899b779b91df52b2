// IMAP patterns compiled once by the loader with the wire tokenizer: what the
// load-time check refuses (and where), the tokens the matcher gets, and how
// tokens written with ${} references resolve when the step runs.

import { expect } from "chai";
import type { Template } from "../../../runner/model/ast.ts";
import { resolvePattern } from "../../../runner/protocols/imap/matchers/pattern.ts";
import { interpolate } from "../../../runner/session/variables.ts";
import { compileImapPattern } from "../../../runner/suite/expect/imap-pattern.ts";
import { compileTemplate } from "../../../runner/suite/template.ts";

const compile = (text: string, kind: "untagged" | "code" = "untagged") => compileImapPattern(compileTemplate(text), kind);

describe("suite: IMAP patterns compiled at load", () => {
  const REFUSED: Array<[string, string, number, string]> = [
    ["no '* '", "1 EXISTS", 0, "an untagged pattern starts with '* '"],
    ["unclosed list", "* FLAGS (\\Seen", 8, "'(' is not closed"],
    ["section closed by the wrong bracket", "* 1 FETCH (BODY[HEADER $b)", 25, "')' does not close anything here"],
    ["unclosed section", "* 1 FETCH (BODY[HEADER", 15, "'[' is not closed"],
    ["stray close", "* 1 EXISTS)", 10, "')' does not close anything here"],
    ["unclosed string", '* LIST () "/" "INBOX', 14, "quoted string is not closed"],
    ["ellipsis not last", "* CAPABILITY ... IMAP4rev1", 13, "'...' allows extra items at the end only"],
    ["bare $", "* $ EXISTS", 2, "'$' starts a placeholder"],
    ["placeholder glued to text", "* 1 FETCH (UID $u,)", 15, "a placeholder is a whole token"],
    ["tokens not separated", '* LIST () "/""a"', 13, "not IMAP syntax: expected a space between tokens"],
  ];
  for (const [name, text, offset, message] of REFUSED) {
    it(`refuses ${name}`, () => {
      const read = compile(text);
      expect(read.problem?.offset, read.problem?.message).to.equal(offset);
      expect(read.problem?.message).to.include(message);
    });
  }

  it("recognises placeholders once, in written order", () => {
    const read = compile('* $n FETCH (UID $u FLAGS ($_ $$Junk) ...)');
    expect(read.problem).to.equal(undefined);
    expect(read.names).to.deep.equal(["n", "u"]);
    expect(read.pattern!.text.text).to.equal('$n FETCH (UID $u FLAGS ($_ $$Junk) ...)');
    expect(read.pattern!.tokens).to.deep.equal([
      { type: "capture", name: "n" },
      { type: "atom", value: "FETCH" },
      {
        type: "list",
        items: [
          { type: "atom", value: "UID" },
          { type: "capture", name: "u" },
          { type: "atom", value: "FLAGS" },
          { type: "list", items: [{ type: "any" }, { type: "atom", value: "$Junk" }] },
          { type: "more" },
        ],
      },
    ]);
  });

  it("writes a code without brackets", () => {
    expect(compile("[READ-WRITE]", "code").problem?.message).to.include("without its brackets");
    expect(compile("UIDVALIDITY $uv", "code").pattern!.tokens).to.deep.equal([{ type: "atom", value: "UIDVALIDITY" }, { type: "capture", name: "uv" }]);
  });

  const VARS = new Map([
    ["uv", "3857529045"],
    ["d", "."],
    ["run.token", "tok"],
    ["flags", "(\\Seen)"],
    ["none", "NIL"],
  ]);
  const resolve = (t: Template) => interpolate(t, (name) => VARS.get(name));
  const RESOLVED: Array<[string, string, unknown[]]> = [
    ["a number", "* OK [UIDVALIDITY ${uv}] ...", [{ type: "atom", value: "OK" }, { type: "bracket", items: [{ type: "atom", value: "UIDVALIDITY" }, { type: "number", value: "3857529045" }] }, { type: "more" }]],
    ["inside a quoted string", '* LIST () $d "mc-${run.token}${d}kid"', [{ type: "atom", value: "LIST" }, { type: "list", items: [] }, { type: "capture", name: "d" }, { type: "string", value: "mc-tok.kid" }]],
    ["a captured list", "* 1 FETCH (FLAGS ${flags})", [{ type: "number", value: "1" }, { type: "atom", value: "FETCH" }, { type: "list", items: [{ type: "atom", value: "FLAGS" }, { type: "list", items: [{ type: "atom", value: "\\Seen" }] }] }]],
    ["NIL", "* LIST () ${none} INBOX", [{ type: "atom", value: "LIST" }, { type: "list", items: [] }, { type: "nil" }, { type: "atom", value: "INBOX" }]],
  ];
  for (const [name, text, tokens] of RESOLVED) {
    it(`resolves a reference when the step runs: ${name}`, () => {
      const read = compile(text);
      expect(read.problem).to.equal(undefined);
      expect(resolvePattern(read.pattern!, resolve).tokens).to.deep.equal(tokens);
    });
  }

  it("resolves $${ at load: no work left for the run", () => {
    const read = compile("* OK [X $${a}]");
    expect(read.pattern!.tokens).to.deep.equal([{ type: "atom", value: "OK" }, { type: "bracket", items: [{ type: "atom", value: "X" }, { type: "atom", value: "${a}" }] }]);
    expect(resolvePattern(read.pattern!, () => "unused").tokens).to.equal(read.pattern!.tokens);
  });
});

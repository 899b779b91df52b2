// Table-driven cases for the IMAP response codec: each response is fed
// whole and one byte at a time through LineBuffer + ImapResponseAssembler,
// and must parse to the same tokens either way.

import { expect } from "chai";
import { LineBuffer } from "../../wire/lines.ts";
import {
  formatToken,
  ImapLimitError,
  ImapResponseAssembler,
  ImapSyntaxError,
  parseResponse,
  tokenize,
  type ImapResponse,
  type ImapToken,
} from "../../wire/imap-tokens.ts";

const LIMITS = { maxLineOctets: 1024, maxLiteralOctets: 4096, maxResponseOctets: 8192 };

/** A compact, comparable form: atoms bare, numbers #n, strings "…", literals {…}, lists (…), codes […]. */
function show(tokens: ImapToken[]): string {
  return tokens
    .map((t) => {
      switch (t.type) {
        case "atom":
          return formatToken(t);
        case "number":
          return `#${t.value}`;
        case "string":
          return t.literal ? `{${t.value.toString("latin1")}}` : `"${t.value.toString("latin1")}"`;
        case "nil":
          return "NIL";
        case "list":
          return `(${show(t.items)})`;
        case "bracket":
          return `[${show(t.items)}]`;
      }
    })
    .join(" ");
}

function feed(wire: string, byteByByte: boolean): ImapResponse[] {
  const buffer = new LineBuffer({ maxLineOctets: LIMITS.maxLineOctets });
  const assembler = new ImapResponseAssembler(LIMITS);
  const out: ImapResponse[] = [];
  const bytes = Buffer.from(wire, "latin1");
  const chunks = byteByByte ? [...bytes].map((b) => Buffer.from([b])) : [bytes];
  for (const chunk of chunks) {
    buffer.push(chunk);
    for (let r = assembler.next(buffer); r !== null; r = assembler.next(buffer)) out.push(parseResponse(r));
  }
  expect(assembler.inProgress, "no half-read response left").to.equal(false);
  return out;
}

function describeResponse(r: ImapResponse): string {
  if (r.kind === "continuation") return `+ ${r.code ? `[${show(r.code)}] ` : ""}${r.text}`;
  if (r.kind === "tagged") return `${r.tag} ${r.status}${r.code ? ` [${show(r.code)}]` : ""} ${r.text}`;
  return `* ${show(r.tokens)}${r.text !== undefined ? ` | ${r.text}` : ""}`;
}

const CASES: Array<[string, string, string]> = [
  ["simple EXISTS", "* 23 EXISTS\r\n", "* #23 EXISTS"],
  ["status with code and text", "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n", "* OK [UIDVALIDITY #3857529045] | UIDs valid"],
  ["tagged with code", "A142 OK [READ-WRITE] SELECT completed\r\n", "A142 OK [READ-WRITE] SELECT completed"],
  ["tagged lower-case status", "a1 ok done\r\n", "a1 OK done"],
  ["permanentflags code", "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n", "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] | Limited"],
  ["flags list", "* FLAGS (\\Answered \\Flagged $Forwarded)\r\n", "* FLAGS (\\Answered \\Flagged $Forwarded)"],
  ["quoted with escapes", '* LIST (\\Noselect) "/" "a \\"b\\" \\\\c"\r\n', '* LIST (\\Noselect) "/" "a "b" \\c"'],
  ["NIL and empty list", "* NAMESPACE ((\"\" \"/\")) NIL nil\r\n", '* NAMESPACE (("" "/")) NIL NIL'],
  ["literal in FETCH", "* 12 FETCH (BODY[HEADER] {5}\r\nab\r\nc UID 7)\r\n", "* #12 FETCH (BODY[HEADER] {ab\r\nc} #UID #7)".replace("#UID", "UID")],
  ["two literals", "* 1 FETCH (A {1}\r\nx B {2}\r\nyz)\r\n", "* #1 FETCH (A {x} B {yz})"],
  ["empty literal", "* 1 FETCH (BODY[] {0}\r\n)\r\n", "* #1 FETCH (BODY[] {})"],
  ["literal8", "* 1 FETCH (BINARY[1] ~{3}\r\n\x00\x01\x02)\r\n", "* #1 FETCH (BINARY[1] {\x00\x01\x02})"],
  ["section with fields and partial", "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT DATE)]<0> \"x\")\r\n", '* #2 FETCH (BODY[HEADER.FIELDS (SUBJECT DATE)]<0> "x")'],
  ["nested lists", "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" NIL NIL NIL \"7bit\" 3 1) \"mixed\"))\r\n", '* #1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" #3 #1) "mixed"))'],
  ["continuation with text", "+ Ready for literal data\r\n", "+ Ready for literal data"],
  ["continuation base64", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n", "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+"],
  ["bare continuation", "+\r\n", "+ "],
  ["capability atoms", "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN\r\n", "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR AUTH=PLAIN"],
  ["search with big number", "* SEARCH 2 18446744073709551615\r\n", "* SEARCH #2 #18446744073709551615"],
  ["sequence set atom", "* ESEARCH (TAG \"A1\") UID ALL 1:3,5\r\n", '* ESEARCH (TAG "A1") UID ALL 1:3,5'],
  ["BYE without code", "* BYE Autologout\r\n", "* BYE | Autologout"],
  ["status text with parens", "* OK (unbalanced [text\r\n", "* OK | (unbalanced [text"],
  ["8-bit quoted string", '* LIST () "/" "Entw\xc3\xbcrfe"\r\n', '* LIST () "/" "Entw\xc3\xbcrfe"'],
  ["referral code with URL", "A1 NO [REFERRAL imap://u;AUTH=*@h/INBOX] go\r\n", "A1 NO [REFERRAL imap://u;AUTH=*@h/INBOX] go"],
  ["doubled space tolerated", "* 1 FETCH (UID  5)\r\n", "* #1 FETCH (UID #5)"],
  ["multipart bodies with no space between parts", '* 1 FETCH (BODY (("text" "plain" NIL NIL NIL "7bit" 3 1)("image" "gif" NIL NIL NIL "base64" 8) "mixed"))\r\n', '* #1 FETCH (BODY (("text" "plain" NIL NIL NIL "7bit" #3 #1) ("image" "gif" NIL NIL NIL "base64" #8) "mixed"))'],
  ["address list with no space between addresses", '* 1 FETCH (ENVELOPE (NIL NIL (("A" NIL "a" "x")(NIL NIL "b" "x")) NIL NIL NIL NIL NIL NIL NIL))\r\n', '* #1 FETCH (ENVELOPE (NIL NIL (("A" NIL "a" "x") (NIL NIL "b" "x")) NIL NIL NIL NIL NIL NIL NIL))'],
];

describe("wire/imap-tokens: response codec", () => {
  for (const [name, wire, wanted] of CASES) {
    for (const mode of ["whole", "byte by byte"] as const) {
      it(`${name} (${mode})`, () => {
        const responses = feed(wire, mode === "byte by byte");
        expect(responses).to.have.length(1);
        expect(describeResponse(responses[0]!)).to.equal(wanted);
      });
    }
  }

  it("splits several responses arriving in one chunk, literal spanning chunks", () => {
    const wire = "* 1 EXISTS\r\n* 1 FETCH (BODY[] {12}\r\nhello\r\nworld)\r\nA1 OK done\r\n";
    for (const mode of [false, true]) {
      const responses = feed(wire, mode);
      expect(responses.map(describeResponse)).to.deep.equal(["* #1 EXISTS", "* #1 FETCH (BODY[] {hello\r\nworld})", "A1 OK done"]);
    }
  });

  const MALFORMED: Array<[string, string, RegExp]> = [
    ["unterminated list", "* FLAGS (\\Seen", /missing "\)"/],
    ["unterminated quoted string", '* LIST () "/" "abc', /unterminated quoted/],
    ["NUL in an atom", "* 1 EXI\x00STS", /control octet 0x00/],
    ["tokens not separated", '* LIST () "/""x"', /expected a space/],
    ["tagged status not OK/NO/BAD", "A1 MAYBE fine", /must be OK, NO or BAD/],
    ["SMTP banner", "220 mail.example ESMTP", /must be OK, NO or BAD/],
    ["truncated literal", "* 1 FETCH (X {10}\r\nabc)", /truncated/],
    ["stray close paren", "* 1 FETCH UID 5)", /unexpected "\)"/],
    ["missing space after *", "*OK hi", /space after "\*"/],
  ];
  for (const [name, bytes, message] of MALFORMED) {
    it(`rejects ${name}`, () => {
      expect(() => parseResponse(Buffer.from(bytes, "latin1"))).to.throw(ImapSyntaxError, message);
    });
  }

  it("rejects nesting deeper than the limit instead of overflowing the stack", () => {
    expect(() => tokenize("(".repeat(5000) + ")".repeat(5000))).to.throw(ImapSyntaxError, /nesting/);
  });

  it("refuses a literal larger than the limit before buffering it", () => {
    const buffer = new LineBuffer({ maxLineOctets: 1024 });
    const assembler = new ImapResponseAssembler(LIMITS);
    buffer.push(Buffer.from("* 1 FETCH (BODY[] {1000000000}\r\n"));
    expect(() => assembler.next(buffer)).to.throw(ImapLimitError, /1000000000/);
  });

  it("refuses a response longer than the limit", () => {
    const buffer = new LineBuffer({ maxLineOctets: 1024 });
    const assembler = new ImapResponseAssembler(LIMITS);
    let thrown: unknown;
    try {
      for (let i = 0; i < 20 && !thrown; i++) {
        buffer.push(Buffer.from(`* 1 FETCH (X {4000}\r\n${"a".repeat(4000)} Y {1}\r\n`));
        assembler.next(buffer);
      }
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(ImapLimitError);
  });

  it("reports each part (line, literal) to the observer in order", () => {
    const parts: string[] = [];
    const buffer = new LineBuffer({ maxLineOctets: 1024 });
    const assembler = new ImapResponseAssembler(LIMITS, (p) => parts.push(`${p.kind}:${p.bytes.toString("latin1")}`));
    buffer.push(Buffer.from("* 1 FETCH (BODY[] {3}\r\nabc)\r\n"));
    expect(assembler.next(buffer)).to.not.equal(null);
    expect(parts).to.deep.equal(["line:* 1 FETCH (BODY[] {3}", "literal:abc", "line:)"]);
  });

  it("tokenizes suite patterns with captures and ellipsis as atoms", () => {
    expect(show(tokenize("$n FETCH (FLAGS (\\Seen ...) UID $uid)"))).to.equal("$n FETCH (FLAGS (\\Seen ...) UID $uid)");
  });

  it("records where each token was written when asked (suite patterns)", () => {
    const ranges = new Map<ImapToken, readonly [number, number]>();
    const [list] = tokenize('(a "b c") BODY[1]<0>', ranges);
    const written = [...ranges].map(([t, [start, end]]) => `${t.type}:${'(a "b c") BODY[1]<0>'.slice(start, end)}`);
    expect(written).to.deep.equal(["atom:a", 'string:"b c"', 'list:(a "b c")', "number:1", "atom:BODY[1]<0>"]);
    expect(ranges.get(list!)).to.deep.equal([0, 9]);
  });

  const UNCLOSED: Array<[string, string, number]> = [
    ["a list", "* (a (b)", 2],
    ["a response code", "[UIDNEXT 4", 0],
    ["a section", "BODY[HEADER", 4],
    ["a quoted string", 'a "bc', 2],
  ];
  for (const [name, text, opened] of UNCLOSED) {
    it(`says where ${name} left open was opened`, () => {
      expect(() => tokenize(text)).to.throw(ImapSyntaxError).with.property("opened", opened);
    });
  }
});

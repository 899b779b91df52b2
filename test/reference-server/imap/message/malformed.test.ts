// Malformed and hostile messages: each gets the structure the RFCs' defaults
// give (checked against Dovecot 2.3 where it answers; deviations noted), no
// input throws, and nesting bombs, part bombs and giant headers stay bounded.

import { expect } from "chai";
import {
  MAX_HEADER_FIELDS_COUNT,
  MAX_PART_DEPTH_LEVELS,
  MAX_PARTS_COUNT,
  bodyStructure,
  bodyText,
  envelope,
  fetchSection,
  fullText,
  headerValues,
  parseMessage,
  sentDate,
  type MimePart,
  type ParsedMessage,
} from "../../../../reference-server/imap/message/index.ts";
import { crlf } from "./fixtures.ts";
import { formatImapValue } from "./format-imap-value.ts";

const TEXT_PLAIN_EMPTY = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)';

const CASES: [title: string, message: string, bodystructure: string][] = [
  [
    // RFC 2045 §5.2: an invalid Content-Type means text/plain; charset=us-ascii. Dovecot says ("text" "").
    "Content-Type without a subtype",
    "Content-Type: text\n\nhello\n",
    '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL)',
  ],
  [
    // No boundary: nothing can be split; the grammar needs 1*body, so one empty text/plain (as Dovecot).
    "multipart without a boundary parameter",
    "Content-Type: multipart/mixed\n\n--x\nContent-Type: text/html\n\nhi\n--x--\n",
    `(${TEXT_PLAIN_EMPTY} "mixed" NIL NIL NIL NIL)`,
  ],
  [
    "unterminated multipart: the last part runs to the end",
    "Content-Type: multipart/mixed; boundary=b\n\npre\n--b\nContent-Type: text/plain\n\nA\n--b\n\nB no header\n",
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)',
  ],
  [
    "upper-case type, parameters and encoding are reported as written",
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; Format=Flowed\nContent-Transfer-Encoding: 7BIT\nContent-Disposition: INLINE\n\nx\n",
    '("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "Format" "Flowed") NIL NIL "7BIT" 3 1 NIL ("INLINE" NIL) NIL NIL)',
  ],
  ["header only, no blank line, no body", "Subject: only header\nFrom: a@b.c\n", '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)'],
  [
    // RFC 2046 §5.1.5: parts of a multipart/digest default to message/rfc822.
    "multipart/digest default part type",
    "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: in digest\n\nbody1\n--d\nContent-Type: text/plain\n\nplain\n--d--\n",
    '(("message" "rfc822" NIL NIL NIL "7bit" 27 (NIL "in digest" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL) "digest" ("boundary" "d") NIL NIL NIL)',
  ],
  [
    "comments and white space inside Content-* fields",
    'Content-Type:  text / plain (comment) ; charset = "utf-8" (c2)\nContent-Transfer-Encoding: quoted-printable (qp)\n\nx=\n',
    '("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 4 1 NIL NIL NIL NIL)',
  ],
  ["text/html without charset gets us-ascii (RFC 2046 §4.1.2)", "Content-Type: text/html\n\n<p>x</p>\n", '("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 10 1 NIL NIL NIL NIL)'],
  [
    // RFC 2046 §5.2.1 forbids base64 here; the body is parsed as a message anyway, as Dovecot does.
    "message/rfc822 with a forbidden base64 encoding",
    "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nU3ViamVjdDogeAoKeQo=\n",
    `("message" "rfc822" NIL NIL NIL "base64" 22 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ${TEXT_PLAIN_EMPTY} 1 NIL NIL NIL NIL)`,
  ],
  ["disposition without parameters, a language", "Content-Type: application/octet-stream\nContent-Disposition: inline\nContent-Language: en\n\nxx\n", '("application" "octet-stream" NIL NIL NIL "7bit" 4 NIL ("inline" NIL) ("en") NIL)'],
  [
    "two empty parts",
    "Content-Type: multipart/mixed; boundary=e\n\n--e\n--e\n\n--e--\n",
    `(${TEXT_PLAIN_EMPTY}${TEXT_PLAIN_EMPTY} "mixed" ("boundary" "e") NIL NIL NIL)`,
  ],
  ["a boundary that never appears", "Content-Type: multipart/mixed; boundary=e\n\nno parts at all\n", `(${TEXT_PLAIN_EMPTY} "mixed" ("boundary" "e") NIL NIL NIL)`],
  [
    "boundary with a space, transport padding after delimiters, an epilogue",
    'Content-Type: multipart/mixed; boundary="sp ace"\n\n--sp ace   \nContent-Type: text/plain\n\nA\n--sp ace--  \nepilogue\n',
    '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "sp ace") NIL NIL NIL)',
  ],
  [
    // RFC 2231 continuations stay as written; Dovecot joins them into ("name" "longname.txt") and moves it last.
    "parameters: RFC 2231 continuation, escaped quote, empty value",
    'Content-Type: text/plain; charset=us-ascii; name*0="long"; name*1="name.txt"; x="a\\"b"; empty=""\n\nx\n',
    '("text" "plain" ("charset" "us-ascii" "name*0" "long" "name*1" "name.txt" "x" "a\\"b" "empty" "") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)',
  ],
  [
    // Dovecot: size 19, 1 line (it keeps the boundary's CRLF in the body). RFC 2046 §5.1.1 gives it to the boundary.
    "message/rfc822 part that is only a header",
    "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: message/rfc822\n\nSubject: hdr only\n--q--\n",
    `(("message" "rfc822" NIL NIL NIL "7bit" 17 (NIL "hdr only" NIL NIL NIL NIL NIL NIL NIL NIL) ${TEXT_PLAIN_EMPTY} 0 NIL NIL NIL NIL) "mixed" ("boundary" "q") NIL NIL NIL)`,
  ],
  [
    "the first Content-Type counts when there are two",
    "Content-Type: text/plain; charset=us-ascii\nContent-Type: text/html\n\nx\n",
    '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL)',
  ],
];

describe("imap message: malformed structure", () => {
  for (const [title, message, expected] of CASES) {
    it(title, () => expect(formatImapValue(bodyStructure(parseMessage(crlf(message)), true))).to.equal(expected));
  }

  it("bare LF line ends: octets are counted as stored (the store keeps CRLF; APPEND must convert first)", () => {
    const m = parseMessage(Buffer.from("Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nline1\nline2\n--b--\n"));
    expect(formatImapValue(bodyStructure(m, false))).to.equal('(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 1) "mixed")');
    expect(fetchSection(m, { part: [1] })!.toString()).to.equal("line1\nline2");
  });
});

describe("imap message: invalid addresses in ENVELOPE", () => {
  it("missing parts become MISSING_MAILBOX / MISSING_DOMAIN (NIL host would mean a group), as Dovecot writes them", () => {
    const m = parseMessage(crlf('From:\nTo: "no address"\nCc: a@, <>, localonly, @, Foo Bar <foo@bar> (c), (only comment) x@y.z\nBcc: ;\nReply-To: Group:;\nSender: x@[127.0.0.1]\nSubject:\nMessage-ID:\n\nb\n'));
    // Dovecot gives Bcc ";" one MISSING address; there is no address in it, and env-bcc is 1*address or NIL.
    expect(formatImapValue(envelope(m))).to.equal(
      '(NIL "" NIL ((NIL NIL "x" "[127.0.0.1]")) ((NIL NIL "Group" NIL)(NIL NIL NIL NIL)) (("no address" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "a" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "localonly" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")("Foo Bar" NIL "foo" "bar")(NIL NIL "x" "y.z")) NIL NIL "")',
    );
  });

  it("duplicate Subject and From: the first one counts (Dovecot takes the last Subject and merges the From lists)", () => {
    const m = parseMessage(crlf("Subject: first\nSubject: second\nFrom: a@b.test\nFrom: c@d.test\n\nx\n"));
    expect(formatImapValue(envelope(m))).to.equal('(NIL "first" ((NIL NIL "a" "b.test")) ((NIL NIL "a" "b.test")) ((NIL NIL "a" "b.test")) NIL NIL NIL NIL NIL)');
  });

  it("unterminated quotes, comments, angle brackets and groups do not throw", () => {
    for (const value of ['"open', "(open", "<a@b", "G: a@b", "a@b (x (y) z", "\\", "<@route", ":;:;,,<>", '"\\'] ) {
      const m = parseMessage(crlf(`From: ${value}\nTo: ${value}\n\n`));
      expect(() => formatImapValue(envelope(m)), value).not.to.throw();
    }
  });
});

/** Every check a hostile input must pass: the whole API answers, ranges nest inside the message. */
function exercise(m: ParsedMessage): void {
  formatImapValue(envelope(m));
  formatImapValue(bodyStructure(m, true));
  formatImapValue(bodyStructure(m, false));
  headerValues(m, "subject");
  bodyText(m);
  fullText(m);
  sentDate(m);
  for (const path of [[], [1], [2], [1, 1], [1, 2, 1], [3, 1]]) {
    for (const text of [undefined, "HEADER", "TEXT", "MIME", "HEADER.FIELDS", "HEADER.FIELDS.NOT"] as const) {
      fetchSection(m, { part: path, ...(text ? { text } : {}), fields: ["subject"] });
    }
  }
  checkRanges(m.raw, m.root, { start: 0, end: m.raw.length }, 0);
}

function checkRanges(raw: Buffer, part: MimePart, within: { start: number; end: number }, depth: number): void {
  expect(depth).to.be.at.most(MAX_PART_DEPTH_LEVELS + 1);
  expect(part.header.start).to.be.at.least(within.start);
  expect(part.header.end).to.equal(part.body.start);
  expect(part.body.start).to.be.at.most(part.body.end);
  expect(part.body.end).to.be.at.most(within.end);
  for (const child of part.children) checkRanges(raw, child, part.body, depth + 1);
  if (part.message !== null) checkRanges(raw, part.message, part.body, depth + 1);
}

function depthOf(part: MimePart): number {
  let deepest = 0;
  for (const child of [...part.children, ...(part.message ? [part.message] : [])]) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

function countParts(part: MimePart): number {
  return 1 + part.children.reduce((n, c) => n + countParts(c), 0) + (part.message ? countParts(part.message) : 0);
}

/** A deterministic PRNG (mulberry32), so a failing garbage case can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("imap message: hostile input stays bounded and never throws", () => {
  it("an empty message", () => {
    const m = parseMessage(Buffer.alloc(0));
    exercise(m);
    expect(formatImapValue(bodyStructure(m, false))).to.equal('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)');
    expect(fetchSection(m, { part: [1] })!.length).to.equal(0);
  });

  it("multipart nested 200 deep: parsing stops at the depth limit and reports an opaque part there", () => {
    let text = "";
    // "b5" would be a prefix of "b50": Dovecot's longest-prefix rule would end part 50 at b5's boundary.
    for (let i = 0; i < 200; i++) text += `Content-Type: multipart/mixed; boundary=b${i}z\n\n--b${i}z\n`;
    text += "\ndeep\n";
    const m = parseMessage(crlf(text));
    exercise(m);
    expect(depthOf(m.root)).to.equal(MAX_PART_DEPTH_LEVELS + 1);
    let part = m.root;
    while (part.children.length > 0) part = part.children[0]!;
    expect(part.overflow).to.equal(true);
    expect(formatImapValue(bodyStructure(m, false))).to.contain('("application" "octet-stream" NIL NIL NIL "7bit" 8560) "mixed")');
  });

  it("message/rfc822 nested 1000 deep", () => {
    const m = parseMessage(crlf("Content-Type: message/rfc822\n\n".repeat(1000) + "Subject: x\n\nbody\n"));
    exercise(m);
    expect(depthOf(m.root)).to.equal(MAX_PART_DEPTH_LEVELS + 1);
  });

  it("100,000 boundary lines: at most MAX_PARTS_COUNT parts", () => {
    const m = parseMessage(crlf("Content-Type: multipart/mixed; boundary=b\n\n" + "--b\n".repeat(100_000)));
    exercise(m);
    expect(countParts(m.root)).to.be.at.most(MAX_PARTS_COUNT + 1);
  });

  it("a 4 MiB header line and 100,000 header fields", () => {
    const long = parseMessage(crlf(`Subject: ${"x".repeat(4 << 20)}\n\nbody\n`));
    exercise(long);
    expect(headerValues(long, "subject")[0]!.length).to.equal(4 << 20);
    const many = parseMessage(crlf("X-A: 1\n".repeat(100_000) + "Subject: last\n\nbody\n"));
    exercise(many);
    expect(many.root.fields.length).to.equal(MAX_HEADER_FIELDS_COUNT);
    expect(fetchSection(many, { part: [], text: "HEADER" })!.length).to.equal(100_000 * 8 + 15 + 2);
  });

  it("NUL bytes in header and body (dropped from ENVELOPE/BODYSTRUCTURE strings: CHAR8 excludes NUL)", () => {
    const m = parseMessage(Buffer.from("Subject: a\0b\r\nFrom: \0@\0\r\nContent-Type: text/plain; charset=\0\r\n\r\n\0\0\0\r\n", "latin1"));
    exercise(m);
    expect(formatImapValue(bodyStructure(m, false))).to.equal('("text" "plain" ("charset" "") NIL NIL "7bit" 5 1)');
    expect(formatImapValue(envelope(m))).to.equal('(NIL "ab" ((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL NIL NIL NIL)');
  });

  it("500 random messages built from MIME fragments and noise", () => {
    const next = random(4242);
    const pieces = [
      "Content-Type: multipart/mixed; boundary=b\r\n", "Content-Type: multipart/alternative; boundary=\"b\"\r\n", "Content-Type: message/rfc822\r\n",
      "Content-Type: multipart/digest; boundary=c\r\n", "--b\r\n", "--b--\r\n", "--c\r\n", "--c--\r\n", "\r\n", "\n", "\r", "text\r\n",
      "Subject: =?utf-8?B?w7w=?=\r\n", "From: \"a\" <b@c>, (x\r\n", " folded\r\n", "Content-Transfer-Encoding: base64\r\n",
      "Content-Type: text/plain; charset=x-unknown-charset\r\n", "Date: 31 Feb 2003 25:61 +9999\r\n", "\0", "\xff\xfe",
    ];
    for (let i = 0; i < 500; i++) {
      let text = "";
      const count = Math.floor(next() * 60);
      for (let j = 0; j < count; j++) text += pieces[Math.floor(next() * pieces.length)];
      const m = parseMessage(Buffer.from(text, "latin1"));
      exercise(m);
    }
  });
});

// MIME fuzz target: whole messages from a recursive generator — header
// fields with parameters (quoted, RFC 2231 continued, comments, encoded
// words), multiparts with right, missing, nested and clashing boundaries,
// message/rfc822 nesting, any line ending, 8-bit — then mutated, through
// parseMessage, BODYSTRUCTURE, BODY, ENVELOPE, section fetches and the
// decoders. Invariants: every byte range lies inside the message and in
// order; every value the writer renders tokenizes back as balanced IMAP.
// Standards: RFC 2045-2047, RFC 2231, RFC 5322, RFC 3501 §6.4.5 and §7.4.2.

import fc from "fast-check";
import { bodyStructure, bodyText, envelope, fetchSection, fullText, headerValues, parseMessage, sentDate, type MimePart, type SectionSpec } from "../../reference-server/imap/message/index.ts";
import { encodeValue } from "../../reference-server/imap/writer.ts";
import { tokenize } from "../../wire/imap-tokens.ts";
import { bytesOf, keyword, withMutations, word } from "./pieces.ts";
import { showBytes, type FuzzTarget } from "./target.ts";

const nl = fc.constantFrom("\r\n", "\r\n", "\r\n", "\n", "\r");
const paramValue = fc.oneof(word, word.map((w) => `"${w}"`), fc.constantFrom('"a\\"b"', '"unterminated', "=?utf-8?B?w6k=?=", "''", "utf-8''%E2%82%AC"));
const param = fc.oneof(
  fc.tuple(keyword("charset", "name", "filename", "boundary", "format"), paramValue).map(([k, v]) => `; ${k}=${v}`),
  fc.tuple(keyword("filename*0*", "filename*1", "name*"), paramValue).map(([k, v]) => `;${k}=${v}`),
  fc.constantFrom(";", "; =", "; x", " (comment (nested)) ", "(unclosed"),
);
const contentType = fc.tuple(
  keyword("text/plain", "text/html", "image/png", "application/octet-stream", "message/rfc822", "multipart/mixed", "multipart/alternative", "multipart/digest", "text", "/", "multipart/"),
  fc.array(param, { maxLength: 3 }),
).map(([t, p]) => t + p.join(""));
const address = fc.oneof(
  fc.constantFrom("alice@example.test", "Alice <alice@example.test>", '"Q, R" <q@r>', "group: a@b, c@d;", "<@route:x@y>", "=?utf-8?Q?=C3=A9?= <e@x>", "undisclosed-recipients:;", "(comment) a@b (c)", "<>", "@", ","),
  word,
);
const field = fc.oneof(
  fc.tuple(keyword("From", "To", "Cc", "Bcc", "Sender", "Reply-To"), fc.array(address, { minLength: 1, maxLength: 3 })).map(([k, a]) => `${k}: ${a.join(", ")}`),
  fc.tuple(keyword("Subject", "Message-ID", "In-Reply-To", "Content-ID", "Content-Description", "Content-Language", "Content-Location", "Content-MD5"), fc.oneof(word, fc.constantFrom("=?iso-8859-1?q?caf=E9?=", "=?bogus?x?y?=", "<id@x>"))).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(keyword("Date"), fc.constantFrom("Mon, 7 Feb 1994 21:52:25 -0800", "7 Feb 94 21:52 EST", "bogus", "Feb 31 2024", "")).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(keyword("Content-Transfer-Encoding"), keyword("7bit", "8bit", "base64", "quoted-printable", "binary", "x-uue", "")).map(([k, v]) => `${k}: ${v}`),
  fc.tuple(keyword("Content-Disposition"), fc.constantFrom("inline", "attachment; filename=a.txt", "attachment; filename*=utf-8''%C3%A9", ";", "")).map(([k, v]) => `${k}: ${v}`),
  fc.constantFrom("X-Folded: a\r\n b\r\n\tc", "no colon here", ": empty name", " leading space: x", "X-8bit: caf\xe9"),
);
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("", "=E9=\r\nx", "aGVsbG8=", ".\r\n..", "--", "--b", "--b--"));

interface Entity {
  text: string;
}

/** A message entity: header, blank line, body; multiparts and message/rfc822 recurse. */
export const mimeMessage: fc.Arbitrary<string> = fc.letrec<{ entity: Entity }>((tie) => ({
  entity: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.tuple(fc.array(field, { maxLength: 4 }), fc.option(contentType, { nil: undefined }), nl, text).map(([fields, type, end, body]) => ({
      text: [...fields, ...(type ? [`Content-Type: ${type}`] : [])].join(end) + end + end + body,
    })),
    fc
      .tuple(fc.array(field, { maxLength: 3 }), fc.constantFrom("b", "=_x", "a b", "", "b\0", "very-long-".repeat(10)), fc.array(tie("entity"), { maxLength: 3 }), nl, fc.boolean(), text, keyword("multipart/mixed", "multipart/alternative", "multipart/digest"))
      .map(([fields, boundary, parts, end, closed, epilogue, type]) => ({
        text:
          [...fields, `Content-Type: ${type}; boundary="${boundary}"`].join(end) +
          end + end + "preamble" + end +
          parts.map((p) => `--${boundary}${end}${p.text}${end}`).join("") +
          (closed ? `--${boundary}--${end}` : "") + epilogue,
      })),
    fc.tuple(fc.array(field, { maxLength: 2 }), tie("entity"), nl).map(([fields, inner, end]) => ({
      text: [...fields, "Content-Type: message/rfc822"].join(end) + end + end + inner.text,
    })),
  ),
})).entity.map((e) => e.text);

const sectionSpec: fc.Arbitrary<SectionSpec> = fc.record({
  part: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 4 }),
  text: fc.option(fc.constantFrom("HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME") as fc.Arbitrary<SectionSpec["text"] & string>, { nil: undefined }),
  fields: fc.array(fc.constantFrom("subject", "FROM", "x-folded", "", "content-type"), { maxLength: 2 }),
}).map((s) => (s.text === undefined ? { part: s.part } : s));

function checkRanges(part: MimePart, size: number, depth: number): void {
  const { header, body } = part;
  if (!(0 <= header.start && header.start <= header.end && header.end <= body.start && body.start <= body.end && body.end <= size)) {
    throw new Error(`part ranges out of order at depth ${depth}: header ${header.start}-${header.end}, body ${body.start}-${body.end}, size ${size}`);
  }
  for (const f of part.fields) if (f.range.start < header.start || f.range.end > header.end) throw new Error(`field ${f.name} outside its header`);
  for (const child of part.children) checkRanges(child, size, depth + 1);
  if (part.message) checkRanges(part.message, size, depth + 1);
}

/** The writer's output must be one balanced IMAP value the runner's tokenizer reads back. */
function checkRenders(value: Parameters<typeof encodeValue>[0], what: string): void {
  const wire = encodeValue(value);
  const tokens = tokenize(typeof wire === "string" ? Buffer.from(wire, "utf8") : wire);
  if (tokens.length !== 1) throw new Error(`${what} renders as ${tokens.length} tokens, not one value`);
}

export const mimeTarget: FuzzTarget<readonly [string, SectionSpec[]]> = {
  name: "mime-bodystructure",
  arbitrary: fc.tuple(withMutations(mimeMessage), fc.array(sectionSpec, { maxLength: 3 })),
  check([message, sections]) {
    const raw = bytesOf(message);
    const m = parseMessage(raw);
    checkRanges(m.root, raw.length, 0);
    checkRenders(bodyStructure(m, true), "BODYSTRUCTURE");
    checkRenders(bodyStructure(m, false), "BODY");
    checkRenders(envelope(m), "ENVELOPE");
    for (const spec of sections) {
      const octets = fetchSection(m, spec);
      if (octets !== null && octets.length > raw.length + 2 * (spec.fields?.length ?? 0) + 2 * m.root.fields.length) {
        throw new Error(`BODY[${JSON.stringify(spec)}] is longer than the message`);
      }
    }
    headerValues(m, "subject");
    bodyText(m);
    fullText(m);
    sentDate(m);
  },
  show: ([message, sections]) => `${showBytes(message, 2000)} sections ${JSON.stringify(sections)}`,
};

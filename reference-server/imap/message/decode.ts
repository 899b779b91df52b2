// Decoded text for searching: header values with RFC 2047 encoded-words
// decoded, address fields as ENVELOPE splits them, and the text of every
// text/* part with its transfer encoding and charset undone. libmime does the
// decoding (encoded-words, charsets through iconv-lite), libqp the
// quoted-printable; this module only picks the parts.
// Standards: RFC 2047 (encoded-words), RFC 2045 §6.7-§6.8 (quoted-printable, base64), RFC 2046 §4.1.2 (charset),
// RFC 6532 §3.2 (UTF-8 in header fields), RFC 3501 §6.4.4 (SEARCH HEADER, BODY, TEXT; FROM/TO/CC/BCC on the envelope).

import libqp from "libqp";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList, type Address } from "./address.ts";
import { isField, unfoldedValue } from "./header-fields.ts";
import type { MimePart, ParsedMessage } from "./types.ts";
import { decodeCharset, decodeWords } from "./mime-words.ts";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Raw header octets as text: UTF-8 when they are valid UTF-8 (RFC 6532), else Latin-1, which never fails. */
function headerText(binary: string): string {
  if (/^[\x00-\x7f]*$/.test(binary)) return binary;
  try {
    return strictUtf8.decode(Buffer.from(binary, "latin1"));
  } catch {
    return binary;
  }
}

function fieldValues(raw: Buffer, part: MimePart, lowerName: string): string[] {
  return part.fields.filter((f) => isField(f, lowerName)).map((f) => decodeWords(headerText(unfoldedValue(raw, f))));
}

/** Every value of the named top-level header field, unfolded and decoded, in message order. */
export function headerValues(m: ParsedMessage, name: string): string[] {
  return fieldValues(m.raw, m.root, name.toLowerCase());
}

/**
 * An address field as SEARCH FROM / TO / CC / BCC compares it: the addresses
 * ENVELOPE carries (address.ts splits them), one string each, written
 * "name <mailbox@host>" with the name decoded. Comments, routes and folding
 * are gone, so "<user (c)@ (c) example.org>" is found as "user@example.org";
 * a group contributes its name.
 */
export function addressValues(m: ParsedMessage, name: string): string[] {
  const lowerName = name.toLowerCase();
  const out: string[] = [];
  for (const field of m.root.fields) {
    if (!isField(field, lowerName)) continue;
    for (const a of parseAddressList(unfoldedValue(m.raw, field))) {
      const text = addressText(a);
      if (text !== "") out.push(text);
    }
  }
  return out;
}

function addressText(a: Address): string {
  // Group start (NIL NIL "group" NIL) and end (NIL NIL NIL NIL), RFC 3501 §7.4.2.
  if (a.host === null) return a.mailbox === null ? "" : decodeWords(headerText(a.mailbox));
  const local = a.mailbox === MISSING_MAILBOX ? "" : headerText(a.mailbox ?? "");
  const address = a.host === MISSING_DOMAIN ? local : `${local}@${headerText(a.host)}`;
  const display = a.name === null ? "" : decodeWords(headerText(a.name));
  if (display === "") return address;
  return local === "" ? display : `${display} <${address}>`;
}

/**
 * The header as SEARCH TEXT sees it: "Name: decoded value" per field, and every line that is no
 * field as written. A message without the blank line that ends a header (text only, no fields)
 * is all header to the splitter, as to Dovecot's; its text must still be found (RFC 3501 §6.4.4 TEXT: "header or body").
 */
function headerBlock(raw: Buffer, part: MimePart): string {
  return part.fields
    .map((f) =>
      f.name === ""
        ? headerText(raw.toString("latin1", f.range.start, f.range.end).replace(/\r?\n|\0/g, " ").trim())
        : `${f.name}: ${decodeWords(headerText(unfoldedValue(raw, f)))}`,
    )
    .join("\n");
}

function param(part: MimePart, lowerName: string): string | undefined {
  return part.params.find(([name]) => name.toLowerCase() === lowerName)?.[1];
}

/** A text part's body: transfer encoding undone (RFC 2045 §6), then the charset (default US-ASCII, read as UTF-8's superset). */
function partText(raw: Buffer, part: MimePart): string {
  const body = raw.subarray(part.body.start, part.body.end);
  const encoding = (part.encoding ?? "7bit").toLowerCase();
  let octets: Buffer;
  try {
    if (encoding === "base64") octets = Buffer.from(body.toString("latin1"), "base64");
    else if (encoding === "quoted-printable") octets = libqp.decode(body);
    else octets = body;
  } catch {
    octets = body;
  }
  const charset = param(part, "charset");
  try {
    return decodeCharset(octets, charset === undefined || /^us-ascii$/i.test(charset) ? "utf-8" : charset);
  } catch {
    return octets.toString("utf-8");
  }
}

function collectText(raw: Buffer, part: MimePart, out: string[], withHeader: boolean): void {
  if (withHeader) out.push(headerBlock(raw, part));
  if (part.overflow) return;
  if (part.children.length > 0) {
    for (const child of part.children) collectText(raw, child, out, false);
  } else if (part.message !== null) {
    // A forwarded message's header is part of the enclosing message's body text.
    collectText(raw, part.message, out, true);
  } else if (part.type.toLowerCase() === "text") {
    out.push(partText(raw, part));
  }
}

/** The decoded text of every text/* part (nested messages included, with their headers), joined by newlines. */
export function bodyText(m: ParsedMessage): string {
  const out: string[] = [];
  collectText(m.raw, m.root, out, false);
  return out.join("\n");
}

/** Top-level header fields ("Name: decoded value" lines) and the body text: what SEARCH TEXT looks in. */
export function fullText(m: ParsedMessage): string {
  return `${headerBlock(m.raw, m.root)}\n\n${bodyText(m)}`;
}

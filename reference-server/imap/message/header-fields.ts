// Reading header fields out of the raw bytes: a field's value unfolded, the
// first field of a name, and the conversion of a binary string (one char per
// octet) into the value the IMAP writer sends unchanged.
// Standards: RFC 5322 §2.2 (field = name ":" body), §2.2.3 (unfolding), RFC 3501 §4.3 (8-bit strings go as literals).

import type { ImapValue } from "../value.ts";
import type { HeaderField, MimePart } from "./types.ts";

/**
 * The field body unfolded (RFC 5322 §2.2.3: every CRLF that precedes WSP is removed, nothing else),
 * without the final line break and with the surrounding white space trimmed, as a binary string.
 * NUL octets (never valid in a header, RFC 5322 §2.2) are dropped so no value derived from it carries one.
 */
export function unfoldedValue(raw: Buffer, field: HeaderField): string {
  return raw
    .toString("latin1", field.valueStart, field.range.end)
    .replace(/\r?\n|\0/g, "")
    .replace(/^[ \t]+|[ \t]+$/g, "");
}

/** Field names compare case-insensitively (RFC 5322 §1.2.2). */
export function isField(field: HeaderField, lowerName: string): boolean {
  return field.name.length === lowerName.length && field.name.toLowerCase() === lowerName;
}

/** The first field of that name: RFC 5322 §3.6 allows most of them once, and for a duplicate the first is what the author's agent wrote. */
export function firstField(part: MimePart, lowerName: string): HeaderField | undefined {
  return part.fields.find((f) => isField(f, lowerName));
}

export function firstValue(raw: Buffer, part: MimePart, lowerName: string): string | null {
  const field = firstField(part, lowerName);
  return field === undefined ? null : unfoldedValue(raw, field);
}

/**
 * A binary string as an IMAP string: ASCII stays text, anything 8-bit goes back to its original octets.
 * NUL octets are dropped: neither a quoted string nor a literal may carry one (RFC 3501 §9: CHAR8 = %x01-ff).
 */
export function imapString(binary: string): ImapValue {
  const text = binary.includes("\0") ? binary.replace(/\0/g, "") : binary;
  return /^[\x00-\x7f]*$/.test(text) ? { string: text } : { string: Buffer.from(text, "latin1") };
}

export function imapNString(binary: string | null): ImapValue {
  return binary === null ? null : imapString(binary);
}

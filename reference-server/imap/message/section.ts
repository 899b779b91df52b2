// BODY[section]: which octets a section specification names — part numbers
// through multiparts and encapsulated messages, then HEADER, HEADER.FIELDS
// (.NOT), TEXT or MIME. Returns the bytes exactly as stored; partial ranges
// (<origin.octets>) are the engine's, cut from what this returns.
// Standards: RFC 3501 §6.4.5 (section-spec semantics), §9 (section-part, section-text, section-msgtext).

import { isField } from "./header-fields.ts";
import type { MimePart, ParsedMessage } from "./types.ts";

const CRLF = Buffer.from("\r\n");

export type SectionText = "HEADER" | "HEADER.FIELDS" | "HEADER.FIELDS.NOT" | "TEXT" | "MIME";

export interface SectionSpec {
  /** section-part = nz-number *("." nz-number); empty for the message itself. */
  part: number[];
  text?: SectionText;
  /** header-list for HEADER.FIELDS / HEADER.FIELDS.NOT */
  fields?: string[];
}

interface Located {
  part: MimePart;
  /** The entity is a message (the top level or a message/rfc822 body), so HEADER and TEXT apply. */
  isMessage: boolean;
}

/**
 * RFC 3501 §6.4.5: "Every message has at least one part number. Non-[MIME-IMB] messages, and non-multipart
 * [MIME-IMB] messages with no encapsulated message, only have a part 1." A message/rfc822 part's
 * subparts are those of the message it encapsulates: part 1 of it is its body when that is not multipart.
 */
export function locate(m: ParsedMessage, path: readonly number[]): Located | null {
  let part = m.root;
  let isMessage = true;
  for (const n of path) {
    if (!Number.isSafeInteger(n) || n < 1) return null;
    if (!isMessage && part.message !== null && !part.overflow) {
      part = part.message;
      isMessage = true;
    }
    if (part.children.length > 0 && !part.overflow) {
      const child = part.children[n - 1];
      if (child === undefined) return null;
      part = child;
    } else if (!(isMessage && n === 1)) {
      return null;
    }
    isMessage = false;
  }
  return { part, isMessage };
}

/** The entity HEADER / TEXT refer to: the top-level message, or the message a message/rfc822 part holds. */
function messageOf(found: Located): MimePart | null {
  if (found.isMessage) return found.part;
  return found.part.message !== null && !found.part.overflow ? found.part.message : null;
}

export function fetchSection(m: ParsedMessage, section: SectionSpec): Buffer | null {
  const found = locate(m, section.part);
  if (found === null) return null;
  const { raw } = m;
  const slice = (start: number, end: number): Buffer => raw.subarray(start, end);
  switch (section.text) {
    case undefined: {
      if (section.part.length === 0) return slice(0, raw.length);
      return slice(found.part.body.start, found.part.body.end);
    }
    case "MIME": {
      // section-part "." "MIME" only: the MIME header of a part, never of the top-level message.
      if (section.part.length === 0) return null;
      return slice(found.part.header.start, found.part.header.end);
    }
    case "HEADER":
    case "TEXT":
    case "HEADER.FIELDS":
    case "HEADER.FIELDS.NOT": {
      const message = messageOf(found);
      if (message === null) return null;
      if (section.text === "HEADER") return slice(message.header.start, message.header.end);
      if (section.text === "TEXT") return slice(message.body.start, message.body.end);
      return headerSubset(raw, message, section.fields ?? [], section.text === "HEADER.FIELDS.NOT");
    }
  }
}

/**
 * The fields named (or, for .NOT, not named) in the list, matched case-insensitively, each with its folded
 * lines as stored, in message order, then the blank line: RFC 3501 §6.4.5 "the delimiting blank line between
 * the header and the body is not affected by header line subsetting; the blank line is always included in
 * header data, except in the case of a message which has no body and no blank line".
 */
function headerSubset(raw: Buffer, message: MimePart, names: readonly string[], exclude: boolean): Buffer {
  const wanted = names.map((n) => n.toLowerCase());
  const chunks: Buffer[] = [];
  for (const field of message.fields) {
    const named = field.name !== "" && wanted.some((n) => isField(field, n));
    if (named === exclude) continue;
    chunks.push(raw.subarray(field.range.start, field.range.end));
    // A last field cut off without its line break (header-only message) still ends its line in the subset, as Dovecot's does.
    if (raw[field.range.end - 1] !== 0x0a) chunks.push(CRLF);
  }
  const lastField = message.fields[message.fields.length - 1];
  const blankStart = lastField === undefined ? message.header.start : lastField.range.end;
  if (blankStart < message.header.end) chunks.push(raw.subarray(blankStart, message.header.end));
  return Buffer.concat(chunks);
}

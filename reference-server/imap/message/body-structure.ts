// BODY and BODYSTRUCTURE: the MIME tree as RFC 3501 §7.4.2 lists it, sizes
// and line counts taken from the exact byte ranges parse.ts recorded.
// Types, subtypes and parameters are reported as the message spells them;
// absent fields get the RFC 2045 defaults ("text" "plain" ("charset"
// "us-ascii") ... "7bit"), spelled in lower case as Dovecot does.
// Standards: RFC 3501 §7.4.2 (BODY, BODYSTRUCTURE), §9 (body, body-type-*, body-ext-*), RFC 2045 §5.2, §6.1,
// RFC 2046 §4.1.2 (text charset default), RFC 1864 (Content-MD5), RFC 2183, RFC 3282, RFC 2557.

import { adjacent, type ImapValue } from "../value.ts";
import { envelopeOf } from "./envelope.ts";
import { imapNString, imapString } from "./header-fields.ts";
import type { MimePart, Param, ParsedMessage } from "./types.ts";

const LF = 0x0a;

export function bodyStructure(m: ParsedMessage, extended: boolean): ImapValue {
  return bodyOf(m.raw, m.root, extended);
}

function bodyOf(raw: Buffer, part: MimePart, extended: boolean): ImapValue {
  return part.children.length > 0 && !part.overflow ? multipartBody(raw, part, extended) : singleBody(raw, part, extended);
}

/**
 * body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
 * body-ext-mpart  = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 */
function multipartBody(raw: Buffer, part: MimePart, extended: boolean): ImapValue {
  const value: ImapValue[] = [adjacent(part.children.map((child) => bodyOf(raw, child, extended)))];
  value.push(imapString(part.subtype));
  if (extended) value.push(params(part.params), disposition(part), language(part), imapNString(part.location));
  return value;
}

/**
 * body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part]
 * body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets
 * body-type-msg   = media-message SP body-fields SP envelope SP body SP body-fld-lines
 * body-type-text  = media-text SP body-fields SP body-fld-lines
 * body-ext-1part  = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
 */
function singleBody(raw: Buffer, part: MimePart, extended: boolean): ImapValue {
  // Past the nesting limit a part is an opaque octet stream (Dovecot does the same): its declared
  // multipart or message/rfc822 structure was never parsed, so claiming it would be a lie.
  const type = part.overflow ? "application" : part.type;
  const subtype = part.overflow ? "octet-stream" : part.subtype;
  const isText = type.toLowerCase() === "text";
  let typeParams = part.overflow ? [] : part.params;
  if (isText && !typeParams.some(([name]) => name.toLowerCase() === "charset")) {
    // RFC 2046 §4.1.2: a text body without a charset parameter is US-ASCII; say so, as Dovecot does.
    typeParams = [["charset", "us-ascii"], ...typeParams];
  }
  const value: ImapValue[] = [
    imapString(type),
    imapString(subtype),
    params(typeParams),
    imapNString(part.id),
    imapNString(part.description),
    imapString(part.encoding ?? "7bit"),
    part.body.end - part.body.start,
  ];
  if (part.message !== null && !part.overflow) {
    value.push(envelopeOf(raw, part.message), bodyOf(raw, part.message, extended), lineCount(raw, part));
  } else if (isText) {
    value.push(lineCount(raw, part));
  }
  if (extended) value.push(imapNString(part.md5), disposition(part), language(part), imapNString(part.location));
  return value;
}

/** body-fld-param = "(" string SP string *(SP string SP string) ")" / nil */
function params(list: readonly Param[]): ImapValue {
  return list.length === 0 ? null : list.flatMap(([name, value]) => [imapString(name), imapString(value)]);
}

/** body-fld-dsp = "(" string SP body-fld-param ")" / nil */
function disposition(part: MimePart): ImapValue {
  return part.disposition === null ? null : [imapString(part.disposition.value), params(part.disposition.params)];
}

/** body-fld-lang = nstring / "(" string *(SP string) ")" */
function language(part: MimePart): ImapValue {
  return part.language === null ? null : part.language.map(imapString);
}

/** body-fld-lines: the body's text lines, counted as line breaks (a last line without one is not a line), as Dovecot counts. */
function lineCount(raw: Buffer, part: MimePart): number {
  let lines = 0;
  for (let i = raw.indexOf(LF, part.body.start); i >= 0 && i < part.body.end; i = raw.indexOf(LF, i + 1)) lines++;
  return lines;
}

// The structural splitter: one pass over the raw octets that finds every
// entity's header and body and records their exact byte ranges, following
// the boundary stack the way Dovecot's message-parser does (a line that
// starts with "--" and an active boundary ends the current part; the longest
// matching boundary wins; an unterminated multipart ends at its parent's
// boundary or the end of the message). Never throws; bounded by limits.ts.
// Standards: RFC 2046 §5.1.1 (boundaries; the CRLF before one belongs to it), §5.1.5 (digest default),
// §5.2.1 (message/rfc822), RFC 2045 §5.2 (defaults), RFC 5322 §2.1-§2.2 (header and body).

import { parseContentType, parseDisposition, parseEncoding, parseLanguage, parseLocation, type ContentType } from "./content-fields.ts";
import { firstValue } from "./header-fields.ts";
import { MAX_HEADER_FIELDS_COUNT, MAX_PART_DEPTH_LEVELS, MAX_PARTS_COUNT } from "./limits.ts";
import type { HeaderField, MimePart, ParsedMessage } from "./types.ts";

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const NEWLINE_DASHES = Buffer.from("\n--", "latin1");

/** RFC 2045 §5.2: "Content-type: text/plain; charset=us-ascii" is assumed when the field is absent or invalid. */
const DEFAULT_TYPE: ContentType = { type: "text", subtype: "plain", params: [] };
/** RFC 2046 §5.1.5: in a multipart/digest the default Content-Type of a part is message/rfc822. */
const DIGEST_CHILD_TYPE: ContentType = { type: "message", subtype: "rfc822", params: [] };

interface Boundary {
  /** "--" + boundary */
  delimiter: Buffer;
}

/** Where an entity stopped: at a boundary line of an enclosing multipart, or at the end of the message. */
interface Stop {
  boundary: Boundary | null;
  close: boolean;
  /** Start of the boundary line (or the message length). */
  lineStart: number;
  /** Just after the boundary line's line break. */
  lineEnd: number;
}

interface Context {
  raw: Buffer;
  parts: number;
}

/**
 * Splits a message into its MIME tree. Works on any bytes; offsets refer to `raw` as given, so a
 * message stored with CRLF line ends (as the store keeps it) yields the octet counts IMAP reports.
 */
export function parseMessage(raw: Buffer): ParsedMessage {
  const ctx: Context = { raw, parts: 0 };
  return { raw, root: parseEntity(ctx, 0, 0, [], DEFAULT_TYPE).part };
}

function lineEndAt(raw: Buffer, pos: number): number {
  const lf = raw.indexOf(LF, pos);
  return lf < 0 ? raw.length : lf + 1;
}

/** The active boundary this line starts with, the longest one if several match (Dovecot: nested boundaries may share a prefix). */
function boundaryAt(raw: Buffer, pos: number, stack: readonly Boundary[]): Stop | null {
  if (stack.length === 0 || raw[pos] !== DASH || raw[pos + 1] !== DASH) return null;
  let best: Boundary | null = null;
  for (const b of stack) {
    const len = b.delimiter.length;
    if (pos + len <= raw.length && (best === null || len > best.delimiter.length) && raw.compare(b.delimiter, 0, len, pos, pos + len) === 0) {
      best = b;
    }
  }
  if (best === null) return null;
  const after = pos + best.delimiter.length;
  return { boundary: best, close: raw[after] === DASH && raw[after + 1] === DASH, lineStart: pos, lineEnd: lineEndAt(raw, pos) };
}

/** The next boundary line at or after `pos` (a line start), or the end of the message. */
function findStop(raw: Buffer, pos: number, stack: readonly Boundary[]): Stop {
  const eof: Stop = { boundary: null, close: false, lineStart: raw.length, lineEnd: raw.length };
  if (stack.length === 0) return eof;
  let candidate = pos;
  while (candidate < raw.length) {
    const stop = boundaryAt(raw, candidate, stack);
    if (stop !== null) return stop;
    const next = raw.indexOf(NEWLINE_DASHES, candidate);
    if (next < 0) return eof;
    candidate = next + 1;
  }
  return eof;
}

/** RFC 2046 §5.1.1: the line break before a boundary line belongs to the boundary, not to the part. */
function bodyEndBefore(raw: Buffer, stop: Stop, bodyStart: number): number {
  if (stop.boundary === null) return stop.lineStart;
  let end = stop.lineStart;
  if (end > bodyStart && raw[end - 1] === LF) end--;
  if (end > bodyStart && raw[end - 1] === CR) end--;
  return end;
}

interface HeaderScan {
  fields: HeaderField[];
  /** Just after the blank line, or where the header was cut off. */
  end: number;
  /** A boundary line met inside the header: the entity ends there with an empty body. */
  stop: Stop | null;
  /** Where the blank line that ended the header starts, if one did. */
  blankStart: number | null;
}

/** field = name ":" body CRLF, folded lines start with WSP; the header ends at the first empty line (RFC 5322 §2.2, §2.1). */
function scanHeader(raw: Buffer, start: number, stack: readonly Boundary[]): HeaderScan {
  const fields: HeaderField[] = [];
  let pos = start;
  while (pos < raw.length) {
    const stop = boundaryAt(raw, pos, stack);
    if (stop !== null) return cutByBoundary(raw, fields, start, stop);
    const next = lineEndAt(raw, pos);
    const first = raw[pos];
    if (first === LF || (first === CR && raw[pos + 1] === LF)) return { fields, end: next, stop: null, blankStart: pos };
    const last = fields[fields.length - 1];
    if (last !== undefined && (first === 0x20 || first === 0x09 || fields.length >= MAX_HEADER_FIELDS_COUNT)) {
      last.range.end = next;
    } else {
      fields.push(fieldAt(raw, pos, next));
    }
    pos = next;
  }
  return { fields, end: raw.length, stop: null, blankStart: null };
}

/** A header ended by a boundary line: the line break before the boundary belongs to it (RFC 2046 §5.1.1). */
function cutByBoundary(raw: Buffer, fields: HeaderField[], start: number, stop: Stop): HeaderScan {
  const end = bodyEndBefore(raw, stop, start);
  for (const field of fields) field.range.end = Math.min(field.range.end, end);
  return { fields, end, stop, blankStart: null };
}

function fieldAt(raw: Buffer, start: number, end: number): HeaderField {
  const colon = raw.indexOf(0x3a, start);
  if (colon < 0 || colon >= end) return { name: "", range: { start, end }, valueStart: end };
  // obs-optional allows white space before the colon (RFC 5322 §4.5.8); a name never contains any.
  const name = raw.toString("latin1", start, colon).replace(/[ \t]+$/, "");
  const valid = /^[\x21-\x39\x3b-\x7e]+$/.test(name);
  return { name: valid ? name : "", range: { start, end }, valueStart: colon + 1 };
}

function emptyPart(at: number): MimePart {
  return {
    header: { start: at, end: at },
    body: { start: at, end: at },
    fields: [],
    type: DEFAULT_TYPE.type,
    subtype: DEFAULT_TYPE.subtype,
    params: [],
    encoding: null,
    id: null,
    description: null,
    md5: null,
    disposition: null,
    language: null,
    location: null,
    children: [],
    message: null,
    overflow: false,
  };
}

function parseEntity(ctx: Context, start: number, depth: number, stack: readonly Boundary[], defaultType: ContentType): { part: MimePart; stop: Stop } {
  const { raw } = ctx;
  ctx.parts++;
  const header = scanHeader(raw, start, stack);
  const part = emptyPart(start);
  part.fields = header.fields;
  part.header = { start, end: header.end };
  readContentFields(raw, part, defaultType);

  // Past the nesting limit a composite part is not entered: its body is an opaque leaf.
  if (depth >= MAX_PART_DEPTH_LEVELS && (isMultipart(part) || isMessage(part))) part.overflow = true;
  const own = ownBoundary(part);
  if (header.blankStart !== null) {
    // A blank line right before an enclosing boundary line is that boundary's CRLF (RFC 2046 §5.1.1): the
    // part has no body and its header no blank line. The part's own first delimiter (longest match) is not.
    const after = boundaryAt(raw, header.end, own === null ? stack : [...stack, own]);
    if (after !== null && after.boundary !== own) {
      header.end = header.blankStart;
      header.stop = after;
      part.header.end = header.end;
    }
  }
  const bodyStart = header.end;
  let stop: Stop;
  if (header.stop !== null) {
    stop = header.stop;
  } else if (part.overflow) {
    stop = findStop(raw, bodyStart, stack);
  } else if (isMultipart(part)) {
    stop = splitMultipart(ctx, part, own, bodyStart, depth, stack);
  } else if (isMessage(part)) {
    const inner = parseEntity(ctx, bodyStart, depth + 1, stack, DEFAULT_TYPE);
    part.message = inner.part;
    stop = inner.stop;
  } else {
    stop = findStop(raw, bodyStart, stack);
  }
  part.body = { start: bodyStart, end: bodyEndBefore(raw, stop, bodyStart) };
  if (isMultipart(part) && part.children.length === 0) {
    // body-type-mpart = 1*body SP media-subtype (RFC 3501 §9): Dovecot reports an empty text/plain.
    part.children.push(emptyPart(part.body.end));
  }
  if (isMessage(part) && part.message === null) part.message = emptyPart(part.body.end);
  return { part, stop };
}

/** The boundary a multipart entity will split on, if it is one (within the nesting limit) and has a boundary. */
function ownBoundary(part: MimePart): Boundary | null {
  if (!isMultipart(part)) return null;
  const boundary = part.params.find(([name]) => name.toLowerCase() === "boundary")?.[1];
  return boundary === undefined || boundary === "" ? null : { delimiter: Buffer.from("--" + boundary, "latin1") };
}

function isMultipart(part: MimePart): boolean {
  return !part.overflow && part.type.toLowerCase() === "multipart";
}

function isMessage(part: MimePart): boolean {
  return !part.overflow && part.type.toLowerCase() === "message" && part.subtype.toLowerCase() === "rfc822";
}

/** Preamble, parts between delimiter lines, close delimiter, epilogue (RFC 2046 §5.1.1). */
function splitMultipart(ctx: Context, part: MimePart, own: Boundary | null, bodyStart: number, depth: number, outer: readonly Boundary[]): Stop {
  const { raw } = ctx;
  if (own === null) return findStop(raw, bodyStart, outer);
  const stack = [...outer, own];
  const childType = part.subtype.toLowerCase() === "digest" ? DIGEST_CHILD_TYPE : DEFAULT_TYPE;
  let stop = findStop(raw, bodyStart, stack);
  while (stop.boundary === own && !stop.close) {
    if (ctx.parts >= MAX_PARTS_COUNT) return findStop(raw, stop.lineEnd, outer);
    const child = parseEntity(ctx, stop.lineEnd, depth + 1, stack, childType);
    part.children.push(child.part);
    stop = child.stop;
  }
  return stop.boundary === own ? findStop(raw, stop.lineEnd, outer) : stop;
}

function readContentFields(raw: Buffer, part: MimePart, defaultType: ContentType): void {
  const contentType = firstValue(raw, part, "content-type");
  const parsed = contentType === null ? defaultType : (parseContentType(contentType) ?? DEFAULT_TYPE);
  part.type = parsed.type;
  part.subtype = parsed.subtype;
  part.params = parsed.params;
  const encoding = firstValue(raw, part, "content-transfer-encoding");
  part.encoding = encoding === null ? null : parseEncoding(encoding);
  part.id = firstValue(raw, part, "content-id");
  part.description = firstValue(raw, part, "content-description");
  part.md5 = firstValue(raw, part, "content-md5");
  const disposition = firstValue(raw, part, "content-disposition");
  part.disposition = disposition === null ? null : parseDisposition(disposition);
  const language = firstValue(raw, part, "content-language");
  part.language = language === null ? null : parseLanguage(language);
  const location = firstValue(raw, part, "content-location");
  part.location = location === null ? null : parseLocation(location);
}

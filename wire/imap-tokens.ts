// IMAP response codec: assembles a response from lines and the literals they
// announce (read by byte count, bounded), then splits it into tokens: atoms,
// numbers, strings, literals, NIL, lists, response codes, section specs. Pure.
// The runner's IMAP reader and the suite loader (patterns, compiled once) use
// it; the server reads commands with its own reader on imap-syntax.ts's classes.
// Standards: RFC 3501 §4 (data formats), §7 (responses), §9 (formal syntax); RFC 9051 §4, §9; RFC 7888 (LITERAL+), RFC 3516 (literal8).

import { isCtl, isTag } from "./imap-syntax.ts";
import type { LineBuffer, LineEnding } from "./lines.ts";

export type ImapToken =
  /** An atom; `section` and `partial` carry a fetch-att name's `[...]` and `<n>` (BODY[HEADER]<0>). */
  | { type: "atom"; value: string; section?: ImapToken[]; partial?: string }
  /** number / number64: kept as digits, compared numerically (MODSEQ exceeds 2^53). */
  | { type: "number"; value: string }
  /** A quoted string or a literal; both are "string" in the grammar and compare by content. */
  | { type: "string"; value: Buffer; literal: boolean }
  | { type: "nil" }
  | { type: "list"; items: ImapToken[] }
  /** A stand-alone `[...]`: a response code. */
  | { type: "bracket"; items: ImapToken[] };

/** Malformed response syntax; `offset` is the byte position in the response. */
export class ImapSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** For a list, bracket or quoted string left open: where it was opened. */
    readonly opened?: number,
  ) {
    super(`${message} at octet ${offset}`);
  }
}

/** A response or literal bigger than the reader allows: the stream cannot be trusted further. */
export class ImapLimitError extends Error {}

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LPAREN = 0x28;
const RPAREN = 0x29;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const TILDE = 0x7e;
const LT = 0x3c;
const CR = 0x0d;
const LF = 0x0a;
const END = -1;

/** Nesting deeper than this is an attack on the parser's stack, not a BODYSTRUCTURE. */
const MAX_NESTING_DEPTH = 100;

const STATUS_WORDS = new Set(["OK", "NO", "BAD", "PREAUTH", "BYE"]);

/** Where each token was written: [start, end) octet offsets, for messages that point into a suite pattern. */
export type TokenRanges = Map<ImapToken, readonly [number, number]>;

class Scanner {
  pos = 0;
  constructor(
    readonly bytes: Buffer,
    /** Filled only when a caller asks (suite patterns): responses are scanned without the bookkeeping. */
    private readonly ranges?: TokenRanges,
  ) {}

  peek(): number {
    return this.pos < this.bytes.length ? this.bytes[this.pos]! : END;
  }

  fail(message: string, opened?: number): never {
    throw new ImapSyntaxError(message, this.pos, opened);
  }

  skipSpaces(): void {
    while (this.peek() === SP) this.pos++;
  }

  /**
   * Tokens up to `close` (")" or "]") or the end of input (END).
   * ABNF: a list's contents are SP-separated; servers that double a space are tolerated.
   */
  sequence(close: number, depth: number, opened?: number): ImapToken[] {
    if (depth > MAX_NESTING_DEPTH) this.fail(`nesting deeper than ${MAX_NESTING_DEPTH}`);
    const items: ImapToken[] = [];
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === close) {
        if (close !== END) this.pos++;
        return items;
      }
      if (c === END) this.fail(`missing "${String.fromCharCode(close)}"`, opened);
      const start = this.pos;
      const token = this.token(close, depth);
      this.ranges?.set(token, [start, this.pos]);
      items.push(token);
      const after = this.peek();
      // `"x"y` and `a(b)`: tokens must be separated; a stray ")" or "]" is reported by token().
      // Lists may follow a list directly: body-type-mpart = 1*body SP media-subtype and
      // env-from = "(" 1*address ")" write `(a)(b)` with no space (RFC 3501 §9).
      const listAfterList = after === LPAREN && items[items.length - 1]!.type === "list";
      if (after !== SP && after !== close && after !== END && after !== RPAREN && after !== RBRACKET && !listAfterList) {
        this.fail("expected a space between tokens");
      }
    }
  }

  token(close: number, depth: number): ImapToken {
    const c = this.peek();
    if (c === LPAREN) {
      const opened = this.pos++;
      return { type: "list", items: this.sequence(RPAREN, depth + 1, opened) };
    }
    if (c === LBRACKET) {
      const opened = this.pos++;
      return { type: "bracket", items: this.sequence(RBRACKET, depth + 1, opened) };
    }
    if (c === DQUOTE) return this.quoted();
    if (c === LBRACE || (c === TILDE && this.bytes[this.pos + 1] === LBRACE)) return this.literal();
    if (c === RPAREN || c === RBRACKET) this.fail(`unexpected "${String.fromCharCode(c)}"`);
    return this.atom(close, depth);
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE ; QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials */
  quoted(): ImapToken {
    const opened = this.pos++;
    const out: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === END) this.fail("unterminated quoted string", opened);
      if (c === CR || c === LF || c === 0) this.fail("CR, LF or NUL inside a quoted string");
      this.pos++;
      if (c === DQUOTE) return { type: "string", value: Buffer.from(out), literal: false };
      if (c === BACKSLASH) {
        const escaped = this.peek();
        if (escaped === END) this.fail("unterminated quoted string", opened);
        out.push(escaped);
        this.pos++;
        continue;
      }
      out.push(c);
    }
  }

  /** literal = "{" number64 ["+"] "}" CRLF *CHAR8 ; literal8 = "~{" number64 "}" CRLF *OCTET */
  literal(): ImapToken {
    const start = this.pos;
    if (this.peek() === TILDE) this.pos++;
    const close = this.bytes.indexOf("}", this.pos);
    if (close === -1) this.fail("unterminated literal length");
    const spec = this.bytes.subarray(this.pos + 1, close).toString("latin1");
    const match = /^(\d+)\+?$/.exec(spec);
    if (!match) {
      this.pos = start;
      this.fail(`malformed literal length "{${spec}}"`);
    }
    this.pos = close + 1;
    if (this.bytes[this.pos] !== CR || this.bytes[this.pos + 1] !== LF) this.fail("literal length not followed by CRLF");
    this.pos += 2;
    const length = Number(match[1]);
    if (this.pos + length > this.bytes.length) this.fail(`literal of ${length} octets is truncated`);
    // A view, not a copy: the response holds the bytes anyway, and a 20 MB FETCH literal is not doubled.
    const value = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return { type: "string", value, literal: true };
  }

  /**
   * atom = 1*ATOM-CHAR, plus the fetch-att forms section "[...]" and partial "<n[.m]>".
   * "]" ends an atom only inside brackets (ASTRING-CHAR allows it elsewhere);
   * "\" and "*" are let through for flags (\Seen, \*).
   */
  atom(close: number, depth: number): ImapToken {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === END || c === SP || c === LPAREN || c === RPAREN || c === DQUOTE || c === LBRACKET) break;
      if (c === RBRACKET && close === RBRACKET) break;
      if (isCtl(c)) this.fail(`control octet 0x${c.toString(16).padStart(2, "0")} in an atom`);
      this.pos++;
    }
    if (this.pos === start) this.fail("empty atom");
    const value = this.bytes.subarray(start, this.pos).toString("utf8");
    if (this.peek() === LBRACKET) {
      const opened = this.pos++;
      const section = this.sequence(RBRACKET, depth + 1, opened);
      let partial: string | undefined;
      if (this.peek() === LT) {
        const end = this.bytes.indexOf(">", this.pos);
        if (end === -1) this.fail("unterminated partial <...>");
        partial = this.bytes.subarray(this.pos + 1, end).toString("latin1");
        if (!/^\d+(\.\d+)?$/.test(partial)) this.fail(`malformed partial "<${partial}>"`);
        this.pos = end + 1;
      }
      return partial === undefined ? { type: "atom", value, section } : { type: "atom", value, section, partial };
    }
    if (/^\d+$/.test(value)) return { type: "number", value };
    if (value.toUpperCase() === "NIL") return { type: "nil" };
    return { type: "atom", value };
  }
}

/**
 * Split a complete response (or a suite pattern) into tokens; throws ImapSyntaxError.
 * With `ranges`, records where each token (nested ones too) was written.
 */
export function tokenize(bytes: Buffer | string, ranges?: TokenRanges): ImapToken[] {
  const scanner = new Scanner(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes, ranges);
  return scanner.sequence(END, 0);
}

export type ImapResponse =
  /** continue-req = "+" SP (resp-text / base64) CRLF */
  | { kind: "continuation"; code?: ImapToken[]; text: string; bytes: Buffer }
  /** response-tagged = tag SP resp-cond-state CRLF */
  | { kind: "tagged"; tag: string; status: string; code?: ImapToken[]; text: string; bytes: Buffer }
  /**
   * response-data = "*" SP (resp-cond-state / resp-cond-bye / mailbox-data / message-data / capability-data) CRLF.
   * Status responses (OK NO BAD PREAUTH BYE) carry `status`, and their tokens are the status atom and the code only —
   * the human text is kept apart because no test may depend on it.
   */
  | { kind: "untagged"; status?: string; code?: ImapToken[]; text?: string; tokens: ImapToken[]; bytes: Buffer };

/** resp-text = ["[" resp-text-code "]" SP] text */
function respText(scanner: Scanner): { code?: ImapToken[]; text: string } {
  if (scanner.peek() === SP) scanner.pos++;
  let code: ImapToken[] | undefined;
  if (scanner.peek() === LBRACKET) {
    scanner.pos++;
    code = scanner.sequence(RBRACKET, 1);
    if (scanner.peek() === SP) scanner.pos++;
  }
  const text = scanner.bytes.subarray(scanner.pos).toString("utf8");
  return code === undefined ? { text } : { code, text };
}

function word(scanner: Scanner): string {
  const start = scanner.pos;
  while (scanner.peek() !== SP && scanner.peek() !== END) scanner.pos++;
  return scanner.bytes.subarray(start, scanner.pos).toString("latin1");
}

/** Responses up to this size are held as strings: the per-object cost, not the octets, dominates a queue of them. */
const COMPACT_RESPONSE_OCTETS = 1024;

/**
 * An untagged data response (FETCH, EXISTS, LIST …) kept as its raw bytes:
 * tokenized again whenever a rule reads `tokens`, and never cached, so a
 * queue of 100k FETCH responses costs their octets rather than ~400 bytes
 * of token objects per line.
 */
class UntaggedData {
  /** A short response as a latin1 string (~40 bytes of heap against ~200 for a Buffer object), a long one as is. */
  private readonly raw: string | Buffer;

  constructor(
    bytes: Buffer,
    /** Where the tokens start (after "* "). */
    private readonly from: number,
  ) {
    this.raw = bytes.length <= COMPACT_RESPONSE_OCTETS ? bytes.toString("latin1") : bytes;
  }

  get kind(): "untagged" {
    return "untagged";
  }

  get bytes(): Buffer {
    return typeof this.raw === "string" ? Buffer.from(this.raw, "latin1") : this.raw;
  }

  get tokens(): ImapToken[] {
    const scanner = new Scanner(this.bytes);
    scanner.pos = this.from;
    return scanner.sequence(END, 0);
  }
}

/** Parse one complete response (as the assembler returns it, without the final CRLF). */
export function parseResponse(bytes: Buffer): ImapResponse {
  const scanner = new Scanner(bytes);
  if (bytes[0] === 0x2b) {
    // Servers send a bare "+" too; anything else glued to it ("+OK") is not a continuation.
    if (bytes.length > 1 && bytes[1] !== SP) scanner.fail('expected a space after "+"');
    scanner.pos = 1;
    return { kind: "continuation", ...respText(scanner), bytes };
  }
  if (bytes[0] === 0x2a) {
    if (bytes[1] !== SP) scanner.fail('expected a space after "*"');
    scanner.pos = 2;
    const restStart = scanner.pos;
    const first = word(scanner).toUpperCase();
    if (STATUS_WORDS.has(first)) {
      const { code, text } = respText(scanner);
      const tokens: ImapToken[] = [{ type: "atom", value: first }];
      if (code) tokens.push({ type: "bracket", items: code });
      return code === undefined ? { kind: "untagged", status: first, text, tokens, bytes } : { kind: "untagged", status: first, code, text, tokens, bytes };
    }
    scanner.pos = restStart;
    // Checked now, so malformed data fails where it arrives; kept as bytes, so a queue of them costs no token trees.
    scanner.sequence(END, 0);
    return new UntaggedData(bytes, restStart);
  }
  const tag = word(scanner);
  if (!isTag(tag)) scanner.fail(`malformed tag "${tag}"`);
  if (scanner.peek() !== SP) scanner.fail("expected a space after the tag");
  scanner.pos++;
  const status = word(scanner).toUpperCase();
  if (status !== "OK" && status !== "NO" && status !== "BAD") {
    scanner.fail(`tagged response status must be OK, NO or BAD, not "${status}"`);
  }
  return { kind: "tagged", tag, status, ...respText(scanner), bytes };
}

export interface ImapReadLimits {
  /** Longest line between literals; the line buffer enforces it. */
  maxLineOctets: number;
  /** Largest literal a server may announce before we refuse to read it. */
  maxLiteralOctets: number;
  /** Largest whole response (lines plus literals). */
  maxResponseOctets: number;
}

export interface ImapResponsePart {
  kind: "line" | "literal";
  bytes: Buffer;
  /** How a line ended ("crlf" is the only legal ending); absent for literals. */
  ending?: LineEnding;
}

/** A line that announces a literal: ends with {n}, {n+} or ~{n}. */
const LITERAL_ANNOUNCEMENT = /~?\{(\d{1,20})\+?\}$/;

/**
 * Pulls one response at a time off a LineBuffer: a line, and when it ends
 * with a literal announcement, exactly that many octets and the line that
 * continues after them. Keeps its progress between calls, so bytes may
 * arrive in any split. Returns the response in wire form without the final CRLF.
 */
export class ImapResponseAssembler {
  private parts: Buffer[] = [];
  private size = 0;
  private literalPending: number | null = null;

  constructor(
    private readonly limits: ImapReadLimits,
    private readonly onPart?: (part: ImapResponsePart) => void,
  ) {}

  /** Octets of an announced literal still awaited: the reader must let that much buffer up. */
  get pendingLiteralOctets(): number {
    return this.literalPending ?? 0;
  }

  /** True when part of a response has been taken off the buffer. */
  get inProgress(): boolean {
    return this.parts.length > 0 || this.literalPending !== null;
  }

  next(source: LineBuffer): Buffer | null {
    for (;;) {
      if (this.literalPending !== null) {
        const literal = source.nextBytes(this.literalPending);
        if (literal === null) return null;
        this.literalPending = null;
        this.onPart?.({ kind: "literal", bytes: literal });
        this.add(literal);
        continue;
      }
      const line = source.nextLine();
      if (line === null) return null;
      this.onPart?.({ kind: "line", bytes: line.bytes, ending: line.ending });
      this.add(line.bytes);
      const tail = line.bytes.subarray(Math.max(0, line.bytes.length - 24)).toString("latin1");
      const announced = LITERAL_ANNOUNCEMENT.exec(tail);
      if (announced) {
        const length = Number(announced[1]);
        if (length > this.limits.maxLiteralOctets) {
          throw new ImapLimitError(`server announced a literal of ${announced[1]} octets (limit ${this.limits.maxLiteralOctets})`);
        }
        this.add(Buffer.from("\r\n"));
        this.literalPending = length;
        continue;
      }
      // Most responses are one line, already a fresh copy off the LineBuffer: no second copy.
      const response = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
      this.parts = [];
      this.size = 0;
      return response;
    }
  }

  private add(bytes: Buffer): void {
    this.size += bytes.length;
    if (this.size > this.limits.maxResponseOctets) {
      throw new ImapLimitError(`response longer than ${this.limits.maxResponseOctets} octets`);
    }
    this.parts.push(bytes);
  }
}

function quote(value: Buffer): string {
  return `"${value.toString("utf8").replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** IMAP syntax for a token, for messages and for re-sending a captured value. */
export function formatToken(token: ImapToken): string {
  switch (token.type) {
    case "atom": {
      let out = token.value;
      if (token.section) out += `[${token.section.map(formatToken).join(" ")}]`;
      if (token.partial !== undefined) out += `<${token.partial}>`;
      return out;
    }
    case "number":
      return token.value;
    case "string":
      return token.literal ? `{${token.value.length}}…` : quote(token.value);
    case "nil":
      return "NIL";
    case "list":
      return `(${token.items.map(formatToken).join(" ")})`;
    case "bracket":
      return `[${token.items.map(formatToken).join(" ")}]`;
  }
}

/** The value of a token as a capture binds it: string contents unquoted, anything else in IMAP syntax. */
export function tokenText(token: ImapToken): string {
  if (token.type === "string") return token.value.toString("utf8");
  return formatToken(token);
}

// Reads command arguments off the received command (wire form, literals
// inline as "{n}" CRLF octets), by wire/imap-syntax.ts's character classes:
// atoms, astrings, quoted strings, literals, flag lists, mailbox names. Every
// deviation throws a ClientError("syntax"), which the vocabulary turns into a tagged BAD.
// Standards: RFC 3501 §4 (data formats), §9 (formal syntax), RFC 7888 (literal+), RFC 3516 §4.5 (literal8), RFC 6855 §3 (UTF-8 quoted strings and mailbox names).

import { isUtf8 } from "node:buffer";
import { ClientError } from "../../core/errors.ts";
import { isInbox } from "../../store/names.ts";
import { isAstringChar, isAtomChar, isListChar } from "../../../wire/imap-syntax.ts";
import { decodeMutf7, InvalidMutf7 } from "./mutf7.ts";
import { Refusal } from "../responses.ts";

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const TILDE = 0x7e;

export function syntax(message: string): never {
  throw new ClientError("syntax", message);
}

export class ArgReader {
  constructor(
    readonly bytes: Buffer,
    public pos: number,
    /**
     * Quoted strings may carry UTF-8 and mailbox names are UTF-8, not modified UTF-7: the session
     * enabled UTF8=ACCEPT (RFC 6855 §3) or IMAP4rev2 (RFC 9051 §5.1, quoted-char with UTF8-2/3/4 in §9).
     */
    readonly utf8 = false,
    /** The session enabled UTF8=ACCEPT itself (RFC 6855: no SEARCH CHARSET, APPEND UTF8); IMAP4rev2 alone does not. */
    readonly utf8Accept = utf8,
  ) {}

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  peek(): number {
    return this.pos < this.bytes.length ? this.bytes[this.pos]! : -1;
  }

  /** Consume `c` if it is next. */
  accept(c: string): boolean {
    if (this.peek() === c.charCodeAt(0)) {
      this.pos++;
      return true;
    }
    return false;
  }

  expect(c: string, what = `"${c}"`): void {
    if (!this.accept(c)) syntax(`expected ${what}`);
  }

  sp(): void {
    if (this.peek() !== SP) syntax(this.atEnd ? "missing argument" : "expected a single space between arguments");
    this.pos++;
  }

  end(): void {
    if (!this.atEnd) syntax(this.peek() === SP ? "unexpected extra argument" : "unexpected characters after the arguments");
  }

  /** atom = 1*ATOM-CHAR */
  atom(what = "an atom"): string {
    return this.run(isAtomChar, what);
  }

  /** A run of characters of a class (at least one). */
  run(test: (c: number) => boolean, what: string): string {
    const start = this.pos;
    while (!this.atEnd && test(this.bytes[this.pos]!)) this.pos++;
    if (this.pos === start) syntax(`expected ${what}`);
    return this.bytes.toString("latin1", start, this.pos);
  }

  /** number = 1*DIGIT, an unsigned 32-bit value. */
  number(what = "a number"): number {
    const text = this.run((c) => c >= 0x30 && c <= 0x39, what);
    const n = Number(text);
    if (text.length > 10 || n > 0xffffffff) syntax(`${what} is out of range`);
    return n;
  }

  nzNumber(what = "a non-zero number"): number {
    const n = this.number(what);
    if (n === 0) syntax(`${what} must not be 0`);
    return n;
  }

  /** string = quoted / literal */
  string(what = "a string"): Buffer {
    const c = this.peek();
    if (c === DQUOTE) return this.quoted();
    if (c === LBRACE) return this.literal();
    syntax(`expected ${what}`);
  }

  /** astring = 1*ASTRING-CHAR / string */
  astring(what = "an astring"): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === LBRACE) return this.string(what);
    const start = this.pos;
    this.run(isAstringChar, what);
    return Buffer.from(this.bytes.subarray(start, this.pos));
  }

  /** An astring as text (UTF-8). */
  astringText(what?: string): string {
    return this.astring(what).toString("utf8");
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ are escapes. */
  quoted(): Buffer {
    this.pos++;
    const out: number[] = [];
    for (;;) {
      if (this.atEnd) syntax("unterminated quoted string");
      const c = this.bytes[this.pos++]!;
      if (c === DQUOTE) {
        const value = Buffer.from(out);
        // RFC 6855 §3: 8-bit octets in a quoted string that are not UTF-8 are refused with BAD.
        if (this.utf8 && !isUtf8(value)) syntax("a quoted string with octets that are not UTF-8");
        return value;
      }
      if (c === 0 || c === 0x0d || c === 0x0a) syntax("NUL, CR or LF inside a quoted string");
      if (c === BACKSLASH) {
        const e = this.peek();
        if (e !== DQUOTE && e !== BACKSLASH) syntax('only \\" and \\\\ may be escaped in a quoted string');
        out.push(e);
        this.pos++;
        continue;
      }
      out.push(c);
    }
  }

  /** literal = "{" number ["+"] "}" CRLF *CHAR8 — the engine has already read the octets in. */
  literal(): Buffer {
    return this.literalOf(false);
  }

  /**
   * APPEND's message: a literal, or (RFC 3516 §4.4) a literal8 = "~{" number ["+"] "}" CRLF *OCTET,
   * whose octets may include NUL. `binary` says which form the client used.
   */
  appendData(): { bytes: Buffer; binary: boolean } {
    if (this.peek() === TILDE) {
      this.pos++;
      return { bytes: this.literalOf(true), binary: true };
    }
    if (this.peek() !== LBRACE) syntax("expected the message as a literal");
    return { bytes: this.literalOf(false), binary: false };
  }

  private literalOf(binary: boolean): Buffer {
    const match = /^\{(\d{1,10})\+?\}\r\n/.exec(this.bytes.toString("latin1", this.pos, this.pos + 16));
    if (!match) syntax(binary ? "malformed literal8" : "malformed literal");
    const length = Number(match[1]);
    const start = this.pos + match[0].length;
    if (start + length > this.bytes.length) syntax("literal is shorter than announced");
    this.pos = start + length;
    // A view, not a copy: an APPEND literal may be megabytes, and the command is never changed.
    const value = this.bytes.subarray(start, this.pos);
    if (!binary && value.includes(0)) syntax("NUL in a literal (use literal8 for binary)");
    return value;
  }

  /** nstring = string / nil */
  nstring(): Buffer | null {
    if (this.peekWord("NIL")) {
      this.pos += 3;
      return null;
    }
    return this.string();
  }

  /** True if the next characters are `word` (case-insensitive) followed by a delimiter. */
  peekWord(word: string): boolean {
    const text = this.bytes.toString("latin1", this.pos, this.pos + word.length);
    if (text.toUpperCase() !== word.toUpperCase()) return false;
    const after = this.bytes[this.pos + word.length];
    return after === undefined || after === SP || after === 0x29 || after === 0x28;
  }

  /**
   * flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension.
   * \Recent is only in flag-fetch: a client may not send it (Dovecot answers BAD too).
   */
  flag(): string {
    if (this.accept("\\")) {
      const name = this.atom("a flag name");
      if (name.toUpperCase() === "RECENT") syntax("\\Recent cannot be set by a client (RFC 3501 §2.3.2)");
      return "\\" + name;
    }
    return this.atom("a flag");
  }

  /** flag-list = "(" [flag *(SP flag)] ")" */
  flagList(): string[] {
    this.expect("(", "a flag list");
    const flags: string[] = [];
    if (this.accept(")")) return flags;
    for (;;) {
      flags.push(this.flag());
      if (this.accept(")")) return flags;
      this.sp();
    }
  }

  /** STORE's flags: a flag list or flags separated by spaces. */
  flagsLoose(): string[] {
    if (this.peek() === 0x28) return this.flagList();
    const flags = [this.flag()];
    while (this.accept(" ")) flags.push(this.flag());
    return flags;
  }

  /**
   * mailbox = "INBOX" / astring, in modified UTF-7 on the wire; returned
   * decoded to UTF-8 with INBOX in its canonical spelling.
   */
  mailbox(): string {
    return this.mailboxFromWire(this.astring("a mailbox name"));
  }

  /** LIST's reference name: a mailbox name that may be empty. */
  mailboxReference(): string {
    return this.mailboxFromWire(this.astring("a reference name"));
  }

  /** Modified UTF-7, or (UTF8=ACCEPT enabled) the UTF-8 name itself. */
  private mailboxFromWire(raw: Buffer): string {
    return this.utf8 ? decodeUtf8MailboxName(raw) : decodeMailboxName(raw.toString("latin1"));
  }

  /** list-mailbox = 1*list-char / string (may hold % and *). */
  listMailbox(): string {
    const c = this.peek();
    if (c === DQUOTE || c === LBRACE) return this.mailboxFromWire(this.string());
    return decodeMailboxName(this.run(isListChar, "a mailbox pattern"));
  }
}

/**
 * A UTF-8 wire name (RFC 6855 §3) → store name: valid UTF-8 without the characters
 * "Mailbox names MUST NOT contain" (controls U+0000-001F, U+007F-009F, U+2028, U+2029).
 */
export function decodeUtf8MailboxName(raw: Buffer): string {
  if (!isUtf8(raw)) syntax("a mailbox name that is not UTF-8");
  const name = raw.toString("utf8");
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) throw new Refusal("CANNOT", "a mailbox name may not contain control characters or line separators");
  return inboxCanonical(name);
}

/** Wire name → store name; "inbox" in any case and at the top level is INBOX. */
export function decodeMailboxName(wire: string): string {
  let name: string;
  try {
    name = decodeMutf7(wire);
  } catch (error) {
    if (error instanceof InvalidMutf7) throw new Refusal("CANNOT", `invalid mailbox name: ${error.message}`);
    throw error;
  }
  return inboxCanonical(name);
}

function inboxCanonical(name: string): string {
  const slash = name.indexOf("/");
  const first = slash === -1 ? name : name.slice(0, slash);
  return isInbox(first) ? "INBOX" + name.slice(first.length) : name;
}

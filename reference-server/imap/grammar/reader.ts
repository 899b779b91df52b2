// Reads command arguments off the received command (wire form, literals
// inline as "{n}" CRLF octets), by wire/imap-syntax.ts's character classes:
// atoms, astrings, quoted strings, literals, flag lists, mailbox names. Every
// deviation throws a ClientError("syntax"), which the vocabulary turns into a tagged BAD.
// Standards: RFC 3501 §4 (data formats), §9 (formal syntax), RFC 7888 (literal+).

import { ClientError } from "../../core/errors.ts";
import { isInbox } from "../../store/names.ts";
import { isAstringChar, isAtomChar, isListChar } from "../../../wire/imap-syntax.ts";
import { decodeMutf7, InvalidMutf7 } from "./mutf7.ts";
import { Refusal } from "../vocabulary.ts";

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;

export function syntax(message: string): never {
  throw new ClientError("syntax", message);
}

export class ArgReader {
  constructor(
    readonly bytes: Buffer,
    public pos: number,
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
      if (c === DQUOTE) return Buffer.from(out);
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
    const match = /^\{(\d{1,10})\+?\}\r\n/.exec(this.bytes.toString("latin1", this.pos, this.pos + 16));
    if (!match) syntax("malformed literal");
    const length = Number(match[1]);
    const start = this.pos + match[0].length;
    if (start + length > this.bytes.length) syntax("literal is shorter than announced");
    this.pos = start + length;
    // A view, not a copy: an APPEND literal may be megabytes, and the command is never changed.
    const value = this.bytes.subarray(start, this.pos);
    if (value.includes(0)) syntax("NUL in a literal (use literal8 for binary)");
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
    return decodeMailboxName(this.astring("a mailbox name").toString("latin1"));
  }

  /** LIST's reference name: a mailbox name that may be empty. */
  mailboxReference(): string {
    return decodeMailboxName(this.astring("a reference name").toString("latin1"));
  }

  /** list-mailbox = 1*list-char / string (may hold % and *). */
  listMailbox(): string {
    const c = this.peek();
    const raw = c === DQUOTE || c === LBRACE ? this.string().toString("latin1") : this.run(isListChar, "a mailbox pattern");
    return decodeMailboxName(raw);
  }
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
  const slash = name.indexOf("/");
  const first = slash === -1 ? name : name.slice(0, slash);
  return isInbox(first) ? "INBOX" + name.slice(first.length) : name;
}

// Turns ImapValues into wire form: numbers, atoms, NIL, parenthesised lists,
// and strings as quoted strings when that is safe, else as literals. The one
// place that decides quoting, so every response is escaped the same way.
// Standards: RFC 3501 §4.3 (string), §4.4 (list), §4.5 (NIL), §9 (quoted, literal), RFC 3516 §4.5 (literal8).

import type { ImapValue } from "./value.ts";

// A longer string goes out as a literal: clients (and our own reader) handle
// literals by count, which is cheaper than scanning a huge quoted string.
const MAX_QUOTED_OCTETS = 1024;

/** A response being built: ASCII text and raw literal bodies, in order. */
export class ResponseBuilder {
  private readonly parts: (string | Buffer)[] = [];
  private binary = false;

  text(s: string): this {
    this.parts.push(s);
    return this;
  }

  value(v: ImapValue): this {
    writeValue(v, this);
    return this;
  }

  /** @internal; `binary`: a literal8, "~{n}" (RFC 3516 §4.5), for octets that include NUL. */
  literal(bytes: Buffer, binary = false): void {
    this.parts.push(`${binary ? "~" : ""}{${bytes.length}}\r\n`);
    this.parts.push(bytes);
    this.binary = true;
  }

  /** The whole response; a string when it holds no literal, so logging stays readable. */
  finish(): string | Buffer {
    if (!this.binary) return this.parts.join("");
    return Buffer.concat(this.parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));
  }
}

function writeValue(v: ImapValue, out: ResponseBuilder): void {
  if (v === null) {
    out.text("NIL");
  } else if (typeof v === "number") {
    out.text(String(v));
  } else if (Array.isArray(v)) {
    out.text("(");
    v.forEach((item, i) => {
      if (i > 0) out.text(" ");
      writeValue(item, out);
    });
    out.text(")");
  } else if ("adjacent" in v) {
    for (const item of v.adjacent) writeValue(item, out);
  } else if ("atom" in v) {
    out.text(v.atom);
  } else if ("binary" in v) {
    // RFC 3516 §4.3.1: without NUL the server SHOULD send a string, so a client can tell without scanning.
    if (v.binary.includes(0)) out.literal(v.binary, true);
    else writeString(v.binary, out);
  } else {
    writeString(v.string, out);
  }
}

/**
 * quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials.
 * TEXT-CHAR excludes CR and LF, and CHAR is 7-bit: anything else needs a literal.
 */
function writeString(value: string | Buffer, out: ResponseBuilder): void {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (bytes.length <= MAX_QUOTED_OCTETS && quotable(bytes)) {
    out.text(`"${bytes.toString("latin1").replace(/[\\"]/g, (c) => "\\" + c)}"`);
  } else {
    out.literal(bytes);
  }
}

function quotable(bytes: Buffer): boolean {
  for (const b of bytes) {
    if (b === 0 || b === 0x0a || b === 0x0d || b > 0x7f) return false;
  }
  return true;
}

/** A value as wire text, for one-off use (STATUS items, LIST names). */
export function encodeValue(v: ImapValue): string | Buffer {
  return new ResponseBuilder().value(v).finish();
}

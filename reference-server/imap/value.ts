// The data a server response carries, before it is written to the wire: the
// IMAP engine's writer turns these into atoms, numbers, quoted strings or
// literals (RFC 3501 §4). Message analysis (ENVELOPE, BODYSTRUCTURE) builds
// them; the writer alone decides quoting, so no module hand-formats IMAP text.
// Standards: RFC 3501 §4 (data formats), §9 (formal syntax).

export type ImapValue =
  /** NIL */
  | null
  | number
  /** Written as is: keywords, flags, section names. Never contains SP, CR, LF, parentheses. */
  | { atom: string }
  /** A string: the writer picks quoted form when safe, else a literal. */
  | { string: string | Buffer }
  /** Octets that may hold NUL: a string when they do not, else a literal8 "~{n}" (RFC 3516 §4.3.1). */
  | { binary: Buffer }
  /** A parenthesised list. */
  | ImapValue[]
  /**
   * Items written back to back, with no SP between them and no parentheses:
   * the grammar's `1*body` (multipart bodies) and `1*address` (envelope
   * address lists) — "((...)(...) "mixed")", never "((...) (...) ...)".
   */
  | { adjacent: ImapValue[] };

export const NIL: ImapValue = null;

export function atom(value: string): ImapValue {
  return { atom: value };
}

export function str(value: string | Buffer): ImapValue {
  return { string: value };
}

/** Decoded content for BINARY[...] (see the `binary` variant). */
export function binary(value: Buffer): ImapValue {
  return { binary: value };
}

/** Items written back to back (see the `adjacent` variant). */
export function adjacent(items: ImapValue[]): ImapValue {
  return { adjacent: items };
}

/** A string, or NIL when absent. */
export function nstring(value: string | Buffer | undefined | null): ImapValue {
  return value === undefined || value === null ? null : { string: value };
}

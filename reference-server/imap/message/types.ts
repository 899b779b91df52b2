// The shape of a parsed message: a tree of MIME entities, each with the byte
// ranges of its header and body in the raw message and its Content-* fields
// already parsed. parse.ts builds it; envelope, body-structure, section and
// decode read it. Header text is kept as "binary strings" (one char per
// byte, latin1), so any 8-bit octets survive to the wire unchanged.
// Standards: RFC 2045 §5-§8 (Content-* fields), RFC 2046 §5 (composite types), RFC 5322 §2.2 (header fields).

/** Half-open byte range [start, end) in the raw message. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface HeaderField {
  /** Field name as written, without surrounding white space; "" for a line that is not a field. */
  name: string;
  /** The whole field: name, colon, value and every folded line, with its final line break. */
  range: ByteRange;
  /** Where the value starts (just after the colon). */
  valueStart: number;
}

/** An attribute/value pair of a Content-Type or Content-Disposition field, as written (unquoted). */
export type Param = [attribute: string, value: string];

export interface MimePart {
  /** The header, including the blank line that ends it when there is one. */
  header: ByteRange;
  /** The body: for a multipart every boundary line and the epilogue; for message/rfc822 the whole message. */
  body: ByteRange;
  fields: HeaderField[];
  /** Media type and subtype as the message spells them; the RFC 2045 §5.2 default when absent or invalid. */
  type: string;
  subtype: string;
  params: Param[];
  /** Content-Transfer-Encoding token as written, or null (7bit by RFC 2045 §6.1). */
  encoding: string | null;
  id: string | null;
  description: string | null;
  md5: string | null;
  disposition: { value: string; params: Param[] } | null;
  language: string[] | null;
  location: string | null;
  /** Children of a multipart (at least one: an empty text/plain stands in when none were found). */
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message: MimePart | null;
  /** Nesting limit reached: the body is an opaque leaf whatever its declared type. */
  overflow: boolean;
}

export interface ParsedMessage {
  raw: Buffer;
  root: MimePart;
}

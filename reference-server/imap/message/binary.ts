// BINARY[section-part]: a section with its Content-Transfer-Encoding undone.
// base64 and quoted-printable are decoded (libqp for the latter); 7bit, 8bit
// and binary are the identity. Any other encoding is one the server cannot
// decode, which FETCH must refuse with [UNKNOWN-CTE]. A multipart or
// message/rfc822 part, and the whole message (BINARY[]), carry no encoding
// of their own (RFC 2045 §6.4: composite types only take identity
// encodings) and are returned as stored. Decoded text parts go out with CRLF
// line ends, whatever the encoded form held.
// Standards: RFC 3516 §4.2.1, §4.3.1 (CRLF for textual sections; UNKNOWN-CTE), RFC 2045 §6.1-§6.8.

import libqp from "libqp";
import { locate } from "./section.ts";
import type { MimePart, ParsedMessage } from "./types.ts";

export type Decoded = { bytes: Buffer } | { unknownEncoding: string };

const IDENTITY = new Set(["7bit", "8bit", "binary"]);

/** The decoded octets of a part; null when the part does not exist. */
export function decodedSection(m: ParsedMessage, path: readonly number[]): Decoded | null {
  if (path.length === 0) return { bytes: m.raw };
  const found = locate(m, path);
  if (found === null) return null;
  const part = found.part;
  const body = m.raw.subarray(part.body.start, part.body.end);
  if (found.isMessage || part.overflow || part.children.length > 0 || part.message !== null) return { bytes: body };
  const encoding = (part.encoding ?? "7bit").toLowerCase();
  if (IDENTITY.has(encoding)) return { bytes: body };
  let bytes: Buffer;
  if (encoding === "base64") bytes = Buffer.from(body.toString("latin1"), "base64");
  else if (encoding === "quoted-printable") bytes = libqp.decode(body);
  else return { unknownEncoding: part.encoding! };
  return { bytes: isText(part) ? crlfLines(bytes) : bytes };
}

function isText(part: MimePart): boolean {
  return part.type.toLowerCase() === "text";
}

/** Every line end as CRLF: a lone LF or a lone CR becomes CRLF. */
function crlfLines(bytes: Buffer): Buffer {
  if (!bytes.includes(0x0a) && !bytes.includes(0x0d)) return bytes;
  const text = bytes.toString("latin1").replace(/\r\n|\r|\n/g, "\r\n");
  return Buffer.from(text, "latin1");
}

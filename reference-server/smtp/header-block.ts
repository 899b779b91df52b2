// The header block of a received message (RFC 5322 §2.1: the lines before
// the first empty line), read from the body's parts without joining more of
// them than the header needs: what submission's fix-ups look into and what
// a delivery report returns.
// Standards: RFC 5322 §2.1, §2.2 (header fields), RFC 3462 (text/rfc822-headers).

const CRLF_CRLF = Buffer.from("\r\n\r\n");
/** A header longer than this is cut here (nothing sane is that long; the message itself is not touched). */
export const MAX_HEADER_OCTETS = 1024 * 1024;

/** The header lines as latin1 text, each ended by CRLF, without the empty line; "" for a message that starts with one. */
export function headerBlock(parts: readonly Buffer[]): string {
  const chunks: Buffer[] = [];
  let octets = 0;
  for (const part of parts) {
    chunks.push(part);
    octets += part.length;
    if (octets >= MAX_HEADER_OCTETS || part.includes(CRLF_CRLF)) break;
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_HEADER_OCTETS).toString("latin1");
  if (text.startsWith("\r\n")) return "";
  const end = text.indexOf("\r\n\r\n");
  return end === -1 ? (text.endsWith("\r\n") ? text : text + "\r\n") : text.slice(0, end + 2);
}

/** Lower-case names of the header's fields (continuation lines are not fields). */
export function fieldNames(header: string): Set<string> {
  const names = new Set<string>();
  for (const line of header.split("\r\n")) {
    const m = /^([!-9;-~]+)[ \t]*:/.exec(line);
    if (m) names.add(m[1]!.toLowerCase());
  }
  return names;
}

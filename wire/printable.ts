// Turns received or sent bytes into one printable transcript line: valid
// UTF-8 stays readable, control bytes and invalid sequences become escapes,
// so a NUL or a stray 0xFF from a hostile server can never corrupt a report.
// Shared by the runner's transcript and the reference server's session log.
// Standards: RFC 3629 (UTF-8 well-formedness).

const NAMED_ESCAPES: Record<number, string> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r" };

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, "0")}`;
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 if it is not one. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i]!;
  let length: number;
  let min: number;
  if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [length, min] = [3, 0x800];
  else if (lead >= 0xf0 && lead <= 0xf4) [length, min] = [4, 0x10000];
  else return 0;
  if (i + length > bytes.length) return 0;
  let codePoint = lead & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const next = bytes[i + k]!;
    if ((next & 0xc0) !== 0x80) return 0;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8.
  if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return 0;
  return length;
}

/** Every octet printable ASCII (0x20–0x7E): the line shows as it is, one character an octet. */
export function isPrintableAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte >= 0x7f) return false;
  }
  return true;
}

/**
 * Printable form of `bytes`: printable ASCII and well-formed UTF-8 as is,
 * \t \r \n by name, other control bytes, DEL and invalid sequences as \xNN.
 * At most `maxChars` characters of output; the rest is summarised.
 */
export function printable(bytes: Uint8Array, maxChars = Number.POSITIVE_INFINITY): string {
  // Nearly every protocol line is short printable ASCII: one conversion instead of a string built per byte.
  if (bytes.length <= maxChars && isPrintableAscii(bytes)) {
    return Buffer.isBuffer(bytes) ? bytes.toString("latin1") : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
  }
  // Pieces joined once: a string grown by += per byte is a rope of one node per byte (~64 KiB for a
  // 2,000-character line), and the transcript keeps hundreds of these lines.
  const view = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const pieces: string[] = [];
  let chars = 0;
  let i = 0;
  while (i < bytes.length) {
    if (chars >= maxChars) {
      pieces.push(`… (${bytes.length - i} more octets)`);
      return pieces.join("");
    }
    const byte = bytes[i]!;
    if (byte >= 0x20 && byte < 0x7f) {
      // A run of printable ASCII as one piece, cut at the character budget.
      let end = i + 1;
      const stop = Math.min(bytes.length, i + (maxChars - chars));
      while (end < stop && bytes[end]! >= 0x20 && bytes[end]! < 0x7f) end++;
      pieces.push(view.toString("latin1", i, end));
      chars += end - i;
      i = end;
      continue;
    }
    let piece: string;
    let length = 1;
    if (byte < 0x80) piece = NAMED_ESCAPES[byte] ?? hexEscape(byte);
    else {
      length = utf8SequenceLength(bytes, i);
      if (length === 0) {
        piece = hexEscape(byte);
        length = 1;
      } else piece = view.toString("utf8", i, i + length);
    }
    pieces.push(piece);
    chars += piece.length;
    i += length;
  }
  return pieces.join("");
}

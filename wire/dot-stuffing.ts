// Dot-stuffing for SMTP DATA and POP3 multiline responses, both directions.
// The runner encodes (DATA) and decodes (RETR); the server does the reverse.
// Standards: RFC 5321 §4.5.2 (transparency), RFC 1939 §3 (multiline responses).

const CRLF = Buffer.from("\r\n");
const TERMINATOR = Buffer.from(".\r\n");

/**
 * Split text into lines on CRLF, bare LF or bare CR — how a fixture written
 * on any system is turned into wire lines.
 */
export function splitTextLines(text: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 0x0a || c === 0x0d) {
      lines.push(text.subarray(start, i));
      if (c === 0x0d && text[i + 1] === 0x0a) i++;
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.subarray(start));
  return lines;
}

/**
 * The wire form of a message body: every line ended by CRLF, a leading "."
 * doubled, then the lone "." line. A text with no final line end gets one.
 */
export function dotStuff(text: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const line of splitTextLines(text)) {
    if (line[0] === 0x2e) parts.push(Buffer.from("."));
    parts.push(line, CRLF);
  }
  parts.push(TERMINATOR);
  return Buffer.concat(parts);
}

/**
 * One received line of a dot-stuffed body (without its CRLF): "end" for the
 * lone "." terminator, else the line with one leading dot removed.
 */
export function unstuffLine(line: Buffer): Buffer | "end" {
  if (line.length === 1 && line[0] === 0x2e) return "end";
  return line[0] === 0x2e ? line.subarray(1) : line;
}

/** Join received body lines back into text with CRLF line ends. */
export function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const line of lines) parts.push(line, CRLF);
  return Buffer.concat(parts);
}

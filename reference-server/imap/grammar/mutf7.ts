// Modified UTF-7 mailbox names (the wire form) to and from UTF-8 (the form the
// store keeps on disk). Decoding is strict: a name that no conforming client
// produces (bad base64, odd octets, encoded printable ASCII, unterminated
// shift) is refused instead of being guessed at.
// Standards: RFC 3501 §5.1.3, RFC 2152 (UTF-7).

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

export class InvalidMutf7 extends Error {}

/** UTF-8 → modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = "";
  let pending: number[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0;
    let value = 0;
    out += "&";
    for (const b of bytes) {
      value = (value << 8) | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(value >> bits) & 0x3f];
      }
    }
    if (bits > 0) out += B64[(value << (6 - bits)) & 0x3f];
    out += "-";
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += code === 0x26 ? "&-" : name[i];
    } else {
      pending.push(code);
    }
  }
  flush();
  return out;
}

/** Modified UTF-7 → UTF-8; throws InvalidMutf7. */
export function decodeMutf7(wire: string): string {
  let out = "";
  let i = 0;
  let lastShiftEnd = -2;
  while (i < wire.length) {
    const c = wire[i]!;
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) throw new InvalidMutf7("a mailbox name must be 7-bit printable (modified UTF-7)");
    if (c !== "&") {
      out += c;
      i++;
      continue;
    }
    const end = wire.indexOf("-", i + 1);
    if (end === -1) throw new InvalidMutf7('unterminated "&" shift in a modified UTF-7 name');
    if (end === i + 1) {
      out += "&";
      i = end + 1;
      continue;
    }
    // RFC 3501 §5.1.3: "&" sequences are never adjacent; two in a row must be one.
    if (lastShiftEnd === i) throw new InvalidMutf7("adjacent encoded sequences in a modified UTF-7 name");
    out += decodeRun(wire.slice(i + 1, end));
    i = end + 1;
    lastShiftEnd = i;
  }
  return out;
}

function decodeRun(run: string): string {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const c of run) {
    const index = B64_INDEX.get(c);
    if (index === undefined) throw new InvalidMutf7(`"${c}" is not a modified base64 character`);
    value = ((value << 6) | index) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  if (bits >= 6 || (value & ((1 << bits) - 1)) !== 0) throw new InvalidMutf7("modified base64 run has leftover bits");
  if (bytes.length % 2 !== 0) throw new InvalidMutf7("modified base64 run is not whole UTF-16 units");
  let text = "";
  for (let j = 0; j < bytes.length; j += 2) {
    const unit = (bytes[j]! << 8) | bytes[j + 1]!;
    if (unit >= 0x20 && unit <= 0x7e) throw new InvalidMutf7("printable ASCII must not be base64-encoded");
    text += String.fromCharCode(unit);
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) throw new InvalidMutf7("unpaired UTF-16 surrogate in a modified UTF-7 name");
  return text;
}

// Byte buffer that hands out protocol lines and counted byte runs (IMAP
// literals, BDAT chunks), pulled one at a time. Shared by the runner and the
// reference server; it imports nothing and never touches a socket.
// Standards: RFC 5321 §2.3.8 (CRLF), RFC 1939 §3, RFC 3501 §4.3 (literals).

export type LineEnding = "crlf" | "lf" | "cr";

export interface Line {
  /** The line without its ending. */
  bytes: Buffer;
  /** How the line ended: only "crlf" is legal on the wire; "lf" is a bare LF. */
  ending: LineEnding;
}

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`line longer than ${limit} octets`);
  }
}

export interface LineBufferOptions {
  /** Longest line accepted, without its ending. Longer input raises LineTooLongError. */
  maxLineOctets: number;
  /** Treat a lone CR (not followed by LF) as a line end. Default false: it stays in the line. */
  bareCrEndsLine?: boolean;
}

/** Accumulates chunks; `nextLine()` and `nextBytes(n)` take complete units off the front. */
export class LineBuffer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private scanFrom = 0;

  constructor(private readonly options: LineBufferOptions) {}

  get length(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete line, or null when more bytes are needed. Throws
   * LineTooLongError when the buffered partial line exceeds the limit, so a
   * peer that never sends a line end cannot grow memory without bound.
   * `copy` false: the line's bytes are a view into the input, not a copy —
   * for a caller that decodes the line at once and keeps no bytes (a copy per
   * line showed in the runner's profile, bench/runner-step.ts).
   */
  nextLine(copy = true): Line | null {
    // Empty (a reader's first try, before the reply has arrived): nothing to scan or allocate.
    if (this.buffered === 0) return null;
    const data = this.flatten();
    const lf = data.indexOf(0x0a, this.scanFrom);
    const crOnly = this.options.bareCrEndsLine ? this.findBareCr(data) : -1;
    if (lf === -1 && crOnly === -1) {
      this.scanFrom = data.length;
      if (data.length > this.options.maxLineOctets + 1) throw new LineTooLongError(this.options.maxLineOctets);
      return null;
    }
    let end: number;
    let ending: LineEnding;
    let consumed: number;
    if (crOnly !== -1 && (lf === -1 || crOnly < lf - 1)) {
      end = crOnly;
      ending = "cr";
      consumed = crOnly + 1;
    } else if (lf > 0 && data[lf - 1] === 0x0d) {
      end = lf - 1;
      ending = "crlf";
      consumed = lf + 1;
    } else {
      end = lf;
      ending = "lf";
      consumed = lf + 1;
    }
    if (end > this.options.maxLineOctets) throw new LineTooLongError(this.options.maxLineOctets);
    // A copy, so a kept line does not pin the whole chunk it arrived in.
    let bytes: Buffer;
    if (copy) {
      bytes = Buffer.allocUnsafe(end);
      data.copy(bytes, 0, 0, end);
    } else bytes = data.subarray(0, end);
    this.consume(data, consumed);
    return { bytes, ending };
  }

  /** Exactly n bytes, or null when fewer are buffered. */
  nextBytes(n: number): Buffer | null {
    if (this.buffered < n) return null;
    // One copy of exactly n octets from the chunks that hold them (not a flatten of everything, then a copy):
    // a 20 MB literal costs 2 × 20 MB at the peak, not 3 ×.
    const parts: Buffer[] = [];
    let need = n;
    let used = 0;
    while (need > 0) {
      const chunk = this.chunks[used]!;
      if (chunk.length <= need) {
        parts.push(chunk);
        need -= chunk.length;
        used++;
      } else {
        parts.push(chunk.subarray(0, need));
        this.chunks[used] = chunk.subarray(need);
        need = 0;
      }
    }
    const bytes = Buffer.concat(parts, n);
    this.chunks.splice(0, used);
    this.buffered -= n;
    this.scanFrom = 0;
    return bytes;
  }

  /** The last `n` buffered bytes (all of them when fewer), left in the buffer: for quoting in error messages. */
  tail(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = Math.min(n, this.buffered);
    for (let i = this.chunks.length - 1; i >= 0 && need > 0; i--) {
      const chunk = this.chunks[i]!;
      const taken = Math.min(need, chunk.length);
      parts.unshift(chunk.subarray(chunk.length - taken));
      need -= taken;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The first buffered byte, left in the buffer (no copy): a reader's cheap look at what kind of data comes. */
  firstByte(): number | undefined {
    return this.chunks[0]?.[0];
  }

  /** The first `n` buffered bytes (all of them when fewer), left in the buffer: copies only those, never the rest. */
  head(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = Math.min(n, this.buffered);
    for (let i = 0; i < this.chunks.length && need > 0; i++) {
      const chunk = this.chunks[i]!;
      const taken = Math.min(need, chunk.length);
      parts.push(chunk.subarray(0, taken));
      need -= taken;
    }
    return Buffer.concat(parts);
  }

  /** Forget everything buffered without copying it. */
  clear(): void {
    this.chunks = [];
    this.buffered = 0;
    this.scanFrom = 0;
  }

  /** Everything buffered, emptying the buffer (e.g. before a TLS upgrade). */
  drain(): Buffer {
    const data = this.flatten();
    this.chunks = [];
    this.buffered = 0;
    this.scanFrom = 0;
    return data;
  }

  private findBareCr(data: Buffer): number {
    let from = this.scanFrom;
    for (;;) {
      const cr = data.indexOf(0x0d, from);
      if (cr === -1 || cr === data.length - 1) return -1; // a trailing CR may still get its LF
      if (data[cr + 1] !== 0x0a) return cr;
      from = cr + 1;
    }
  }

  private flatten(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(data: Buffer, n: number): void {
    // flatten() left one chunk: replaced or dropped in place, no array per line.
    if (n < data.length) this.chunks[0] = data.subarray(n);
    else this.chunks.length = 0;
    this.buffered = data.length - n;
    this.scanFrom = 0;
  }
}

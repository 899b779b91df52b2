// The wire transcript of one test (C:/S: lines with ms since the test began,
// the lecture's "Protokollmitschnitt"): printable, secrets redacted, and
// bounded — a server that floods a million lines costs the first
// MAX_TRANSCRIPT_HEAD_LINES plus the last MAX_TRANSCRIPT_TAIL_LINES.
// Hands each kept line to the event stream as a `wire` event.
// Standards: none (report format).

import type { TranscriptLine } from "../model/result.ts";
import { printable } from "../../wire/printable.ts";

/** Lines kept from the start of a test; enough for any sane dialogue. */
export const MAX_TRANSCRIPT_HEAD_LINES = 2000;
/** Lines kept from the end once the head is full: the part a failure needs. */
export const MAX_TRANSCRIPT_TAIL_LINES = 200;
/** Characters per transcript line; a 64 KiB line is summarised, not copied into every report. */
export const MAX_TRANSCRIPT_LINE_CHARS = 2000;

export const REDACTED = "***";

type Pending = { connection: string; dir: TranscriptLine["dir"]; ms: number; bytes: Buffer | string };

export class Transcript {
  private readonly head: TranscriptLine[] = [];
  /** Raw tail lines, made printable only when the transcript is read. */
  private tail: Pending[] = [];
  private dropped = 0;
  private readonly secrets: string[];

  constructor(
    private readonly startedAt: number,
    private readonly onLine: (line: TranscriptLine) => void,
    /** Passwords of the target's users: replaced by *** in every C: line. */
    secrets: string[],
  ) {
    // Longest first, so a password containing another is redacted whole.
    this.secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  }

  /** Replace every known secret in a client line. */
  redact(text: string): string {
    let out = text;
    // includes() first: nearly every line holds no secret, and split/join allocates per call (runs per step title and C: line).
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** Record one line; bytes are made printable, client lines redacted. */
  record(connection: string, dir: TranscriptLine["dir"], bytes: Buffer | string): void {
    const ms = Date.now() - this.startedAt;
    if (this.head.length < MAX_TRANSCRIPT_HEAD_LINES) {
      const line = { connection, dir, ms, text: this.render(dir, bytes) };
      this.head.push(line);
      this.onLine(line);
      if (this.head.length === MAX_TRANSCRIPT_HEAD_LINES) {
        this.onLine({ connection, dir: "*", ms, text: `transcript limit reached: later lines are summarised` });
      }
      return;
    }
    // A copy (the line may be a view into a 20 MB literal), and never more than one rendered line's worth:
    // a line too long to show whole is rendered now, so 400 kept lines of 64 KiB do not cost 25 MB.
    const kept = typeof bytes === "string" ? bytes : bytes.length > MAX_TRANSCRIPT_LINE_CHARS ? printable(bytes, MAX_TRANSCRIPT_LINE_CHARS) : Buffer.from(bytes);
    this.tail.push({ connection, dir, ms, bytes: kept });
    if (this.tail.length > MAX_TRANSCRIPT_TAIL_LINES * 2) {
      this.dropped += this.tail.length - MAX_TRANSCRIPT_TAIL_LINES;
      this.tail = this.tail.slice(-MAX_TRANSCRIPT_TAIL_LINES);
    }
  }

  /** Record client bytes split into lines at CRLF (several lines may go out in one write). */
  recordSent(connection: string, bytes: Buffer): void {
    forEachWireLine(bytes, (line) => this.record(connection, "C", line));
  }

  /**
   * Record a block of server bytes (an IMAP literal) line by line, one line
   * at a time: a 20 MB literal of short lines never exists as an array of
   * 300k views, and all but the head and tail lines are dropped as they pass.
   */
  recordBlock(connection: string, bytes: Buffer): void {
    forEachWireLine(bytes, (line) => this.record(connection, "S", line));
  }

  lines(): TranscriptLine[] {
    const tail = this.tail.slice(-MAX_TRANSCRIPT_TAIL_LINES);
    const dropped = this.dropped + (this.tail.length - tail.length);
    const out = [...this.head];
    if (dropped > 0 || tail.length > 0) {
      out.push({ connection: tail[0]?.connection ?? "main", dir: "*", ms: tail[0]?.ms ?? 0, text: `… ${dropped} lines omitted …` });
    }
    for (const line of tail) out.push({ connection: line.connection, dir: line.dir, ms: line.ms, text: this.render(line.dir, line.bytes) });
    return out;
  }

  private render(dir: TranscriptLine["dir"], bytes: Buffer | string): string {
    const text = typeof bytes === "string" ? bytes : printable(bytes, MAX_TRANSCRIPT_LINE_CHARS);
    return dir === "C" ? this.redact(text) : text;
  }
}

/** Lines of a sent chunk: split after each CRLF; a final fragment without CRLF is a line of its own. */
export function splitWireLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  forEachWireLine(bytes, (line) => lines.push(line));
  return lines;
}

/** splitWireLines without the array: each line (a view) handed to `each` in turn. */
export function forEachWireLine(bytes: Buffer, each: (line: Buffer) => void): void {
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    if (lf === -1) break;
    const crlf = lf > start && bytes[lf - 1] === 0x0d;
    // A bare LF is kept visible in the line (as \n) so malformed-input tests show what they sent.
    each(crlf ? bytes.subarray(start, lf - 1) : bytes.subarray(start, lf + 1));
    start = lf + 1;
  }
  if (start < bytes.length) each(bytes.subarray(start));
}

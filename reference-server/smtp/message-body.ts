// Collects a message from DATA lines or BDAT chunks and judges it: size
// (RFC 1870, checked on the real data, not just the SIZE parameter), text
// line length, and bare CR / bare LF — refused, or turned into CRLF when the
// config says "normalize". The octets are copied into blocks counted in the
// server's MemoryBudget (never a buffer per line); past the size limit, or
// when the budget has no room, nothing more is kept, so a client streaming
// endless data costs no memory; the reply comes at the end.
// Standards: RFC 5321 §2.3.8 and §4.1.4 (CRLF only), §4.5.3.1.6-7, §4.2.3 (452), RFC 1870 §6.3, RFC 3030 §2.

import { ClientError, LimitExceeded, Overloaded, type MailError } from "../core/errors.ts";
import { HeldOctets } from "../core/held-octets.ts";
import { MemoryBudget } from "../core/memory-budget.ts";
import type { LineEnding } from "../../wire/lines.ts";
import { MAX_TEXT_LINE_OCTETS } from "./limits.ts";

const CRLF = Buffer.from("\r\n");

export class MessageBody {
  private readonly held: HeldOctets;
  private size = 0;
  private tooBig = false;
  private outOfMemory = false;
  private longLine = false;
  private bareEnding = false;
  // BDAT state carried across chunk boundaries.
  private lineOctets = 0;
  private pendingCr = false;

  /** `budget`: where the kept octets are counted; by default a budget of its own with no limit (fuzzing, tests). */
  constructor(
    private readonly maxOctets: number,
    private readonly normalize: boolean,
    budget: MemoryBudget = new MemoryBudget(Infinity),
  ) {
    this.held = new HeldOctets(budget);
  }

  get octets(): number {
    return this.size;
  }

  /** One DATA line, already un-dot-stuffed, with how it ended on the wire. */
  addLine(content: Buffer, ending: LineEnding): void {
    if (content.length > MAX_TEXT_LINE_OCTETS) this.longLine = true;
    const hasCr = content.includes(0x0d);
    if (ending !== "crlf" || hasCr) {
      // The SMTP smuggling defence: only CRLF ends a line, so "\n.\n" or
      // "\r.\r" can never be read as the end of data by us or by a later hop.
      if (!this.normalize) this.bareEnding = true;
      else if (hasCr) {
        for (const piece of splitOnCr(content)) this.keep(piece, CRLF);
        return;
      }
    }
    this.keep(content, CRLF);
  }

  /**
   * Whole DATA lines known to need nothing of addLine (Connection.takeCleanLines):
   * each ends in CRLF, holds no other CR or LF, is not dot-stuffed and is at
   * most MAX_TEXT_LINE_OCTETS long; they are kept exactly as received.
   */
  addCleanLines(lines: Buffer): void {
    this.keep(lines);
  }

  /** A DATA line too long to even buffer (its octets were skipped). */
  lineTooLong(): void {
    this.longLine = true;
  }

  /** Raw BDAT octets (RFC 3030: no dot-stuffing, no terminator). */
  addChunk(bytes: Buffer): void {
    if (!this.normalize && !this.pendingCr && !bytes.includes(0x0d) && !bytes.includes(0x0a)) {
      this.lineOctets += bytes.length;
      if (this.lineOctets > MAX_TEXT_LINE_OCTETS) this.longLine = true;
      this.keep(bytes);
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (b === 0x0a) {
          out.push(0x0d, 0x0a);
          this.lineOctets = 0;
          continue;
        }
        this.bareLineEnd(out); // a CR not followed by LF
      }
      if (b === 0x0d) {
        this.pendingCr = true;
      } else if (b === 0x0a) {
        this.bareLineEnd(out);
      } else {
        out.push(b);
        if (++this.lineOctets > MAX_TEXT_LINE_OCTETS) this.longLine = true;
      }
    }
    this.keep(Buffer.from(out));
  }

  /** Call after the last BDAT chunk: a CR left dangling at the very end is bare. */
  finishChunks(): void {
    if (this.pendingCr) {
      this.pendingCr = false;
      const out: number[] = [];
      this.bareLineEnd(out);
      this.keep(Buffer.from(out));
    }
  }

  /**
   * Why the message must be refused, or null when it may be delivered. The
   * permanent reasons come first: retrying a message with bare LFs later
   * would not help, retrying one refused for want of memory may.
   */
  verdict(): MailError | null {
    if (this.tooBig) return new LimitExceeded("message-too-big", `message exceeds the fixed maximum size of ${this.maxOctets} octets`);
    if (this.longLine) return new LimitExceeded("text-line-too-long", `message has a line longer than ${MAX_TEXT_LINE_OCTETS} octets`);
    if (this.bareEnding) return new ClientError("rejected-content", "message contains bare CR or LF line endings; only CRLF is allowed");
    if (this.outOfMemory) return new Overloaded("insufficient system storage for the message, try again later");
    return null;
  }

  /** Whether the message can no longer be accepted, whatever follows (BDAT refuses early). */
  get refusedEarly(): boolean {
    return this.tooBig || this.outOfMemory;
  }

  /** The message as views of the blocks that hold it (no copy). */
  parts(): Buffer[] {
    return this.held.parts();
  }

  bytes(): Buffer {
    return Buffer.concat(this.held.parts(), this.held.length);
  }

  /** Give the kept octets back to the budget (after delivery, or when the transaction ends). */
  release(): void {
    this.held.release();
  }

  private bareLineEnd(out: number[]): void {
    if (this.normalize) out.push(0x0d, 0x0a);
    else this.bareEnding = true;
    this.lineOctets = 0;
  }

  private keep(content: Buffer, ending?: Buffer): void {
    this.size += content.length + (ending?.length ?? 0);
    if (this.tooBig || this.outOfMemory) return;
    if (this.size > this.maxOctets) {
      this.tooBig = true;
      this.held.release();
      return;
    }
    if (!this.held.append(content) || (ending && !this.held.append(ending))) this.outOfMemory = true;
  }
}

function splitOnCr(content: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < content.length; i++) {
    if (content[i] === 0x0d) {
      pieces.push(content.subarray(start, i));
      start = i + 1;
    }
  }
  pieces.push(content.subarray(start));
  return pieces;
}

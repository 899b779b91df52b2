// One client connection as the engines see it: pull-based reads of lines and
// byte runs (a deadline per line, a TransferDeadline for message data),
// batched writes, and the in-place TLS upgrade. Unread input and unsent
// replies are counted in the server's MemoryBudget. The session driver and
// command handlers read through it; only this file touches the socket.
// Standards: RFC 5321 §4.5.3.2 (timeouts), RFC 2920 §3.2 (reply batching),
// RFC 3207 §4.2 / RFC 2595 §4 (discarding input across the TLS upgrade), RFC 4978 §3 (COMPRESS above TLS).

import * as tls from "node:tls";
import type * as net from "node:net";
import { channelBindingData } from "../../wire/channel-binding.ts";
import { DeflateStream } from "../../wire/deflate-stream.ts";
import { LineBuffer, LineTooLongError, type Line, type LineEnding } from "../../wire/lines.ts";
import type { MemoryBudget } from "./memory-budget.ts";
import { TransferDeadline } from "./read-deadline.ts";

/** The peer closed or reset the connection. */
export class PeerClosed extends Error {
  constructor() {
    super("connection closed by peer");
  }
}

/** No complete line before its deadline, or message data too slow (`text` says which, for the farewell). */
export class ReadTimeout extends Error {
  constructor(
    readonly ms: number,
    readonly text: string | null = null,
  ) {
    super(text ?? `no input within ${ms} ms`);
  }
}

/** A read's time limit: milliseconds for the whole line or run of octets, or a TransferDeadline. */
export type ReadLimit = number | TransferDeadline;

/** Returned instead of a line that exceeded the read's limit; the rest of it was skipped. */
export const LINE_TOO_LONG = "line-too-long" as const;
export type ReadLine = Line | typeof LINE_TOO_LONG;

/** Returned by lineOrPark when no line is there yet: the reader is resumed later. */
export const PARKED = "parked" as const;

/**
 * A reader waiting for a line without a promise (the session driver between
 * commands): resumed on a later tick once input arrives, the peer closes or
 * the line's deadline passes; its next lineOrPark then returns or throws.
 */
export interface ParkedReader {
  resume(): void;
}

// Above this many unread octets the socket is paused until a handler reads
// again: a client that pipelines faster than we answer cannot grow memory.
const INPUT_HIGH_WATER_OCTETS = 256 * 1024;
// Above this many unsent reply octets the session waits for the peer to read
// before it runs the next command: pipelined "RETR 1" from a client that never
// reads once grew the process by 100 MiB a second.
const OUTPUT_HIGH_WATER_OCTETS = 256 * 1024;
/** Up to this many octets a batch of replies is joined into one chunk before it is written (flush). */
const JOIN_MAX_OCTETS = 16 * 1024;
/** A reply as the socket would encode it: strings are written as UTF-8 (the streams' default encoding). */
const asBuffer = (part: string | Buffer): Buffer => (typeof part === "string" ? Buffer.from(part, "utf8") : part);
// A peer that stops reading replies is given this long before it is dropped.
const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;
// After a polite close, how long the peer may take to close its side.
const CLOSE_GRACE_MS = 2_000;
// A connection turned away (over the connection or memory limit) holds a
// descriptor the server is short of: its 421 / BYE and FIN are already on the
// way when it is dropped after this, so a flood of refusals cannot pile up.
export const REFUSAL_CLOSE_GRACE_MS = 200;

export interface ConnectionOptions {
  id: string;
  /** Longest line the buffer holds at all; each read may ask for less. */
  maxBufferedLineOctets: number;
  /** Session log sink (verbose mode); null to stay quiet. */
  log: ((line: string) => void) | null;
  /** Where unread input and unsent replies are counted. */
  memory: MemoryBudget;
}

type Stream = net.Socket | tls.TLSSocket | DeflateStream;

export class Connection {
  readonly id: string;
  readonly remoteAddress: string;
  /** The client's port (0 on a Unix-domain socket): the listener finds a session by it. */
  readonly remotePort: number;
  private stream: Stream;
  private secure: boolean;
  /** The TLS socket, kept when COMPRESS stacks DEFLATE on it: SCRAM -PLUS binds to its session. */
  private tlsSocket: tls.TLSSocket | null;
  private readonly input: LineBuffer;
  private skippingLongLine = false;
  /** The last octet skipped of a long line whose end has not come yet (a CR may precede the LF in the next chunk). */
  private skippedLastOctet = -1;
  /**
   * How the line last returned as LINE_TOO_LONG ended. The DATA terminator is
   * CRLF "." CRLF: a "." after a long line ended by a bare LF must not end the
   * data (SMTP smuggling, RFC 5321 §4.1.1.4), so the ending is kept, not guessed.
   */
  skippedLineEnding: LineEnding = "crlf";
  private pending: (string | Buffer)[] = [];
  private wake: (() => void) | null = null;
  // A parked read (lineOrPark) holds no promise: the reader, the line's deadline and its one timer.
  private parked: ParkedReader | null = null;
  private parkedEndsAt = 0;
  private parkedTimer: NodeJS.Timeout | null = null;
  private parkedTimedOut = false;
  private ended = false;
  private closedFlag = false;
  private closing: Promise<void> | null = null;
  // Made on first ask (close(), the listener's shutdown): an idle connection holds no promise for it.
  private closedPromise: Promise<void> | null = null;
  private resolveClosed: (() => void) | null = null;
  private readonly log: ((line: string) => void) | null;
  private readonly memory: MemoryBudget;
  /** Octets of `input` counted in the budget. */
  private inputCharged = 0;
  /** Octets of `pending` (not yet handed to the socket). */
  private pendingOctets = 0;
  /** Octets handed to the socket whose write has not completed. */
  private outputCharged = 0;
  private received = 0;
  private lastInput = 0;
  // The socket's handlers, assigned in the constructor: as arrow-function class
  // fields each would be wrapped by a "keep names" transform (tsx, esbuild),
  // which gives every closure a property dictionary of its own — 1.5 KiB per
  // idle connection, measured with a heap snapshot.
  private readonly onData: (chunk: Buffer) => void;
  private readonly onEnd: () => void;
  private readonly onClose: () => void;
  private readonly onError: () => void;

  constructor(socket: net.Socket | tls.TLSSocket, options: ConnectionOptions) {
    this.id = options.id;
    this.stream = socket;
    this.secure = socket instanceof tls.TLSSocket;
    this.tlsSocket = socket instanceof tls.TLSSocket ? socket : null;
    this.remoteAddress = normaliseAddress(socket.remoteAddress ?? "unknown");
    this.remotePort = socket.remotePort ?? 0;
    this.input = new LineBuffer({ maxLineOctets: options.maxBufferedLineOctets });
    this.log = options.log;
    this.memory = options.memory;
    // Replies are already batched here (flush, cork): Nagle only adds a stall when a long reply is
    // flushed in parts (FETCH, flushAndDrain) — the second part waits for the client's delayed ACK,
    // measured as a 40 ms floor on every IMAP FETCH under `mailconform stress`.
    socket.setNoDelay(true);
    this.onData = (chunk) => {
      this.input.push(chunk);
      this.received += chunk.length;
      this.lastInput = Date.now();
      this.inputCharged += chunk.length;
      this.memory.charge(chunk.length);
      if (this.input.length > INPUT_HIGH_WATER_OCTETS) this.stream.pause();
      this.signal();
    };
    this.onEnd = () => {
      this.ended = true;
      this.signal();
    };
    this.onClose = () => {
      this.ended = true;
      this.closedFlag = true;
      this.releaseAll();
      this.signal();
      // A parked read's deadline timer must not outlive the socket (its reader, resumed, sees PeerClosed).
      this.unpark();
      this.resolveClosed?.();
    };
    // 'close' follows every socket error; reads then see PeerClosed.
    this.onError = this.onEnd;
    this.attach(socket);
  }

  /** True once TLS is active, by implicit TLS or an upgrade. */
  get tls(): boolean {
    return this.secure;
  }

  /** Channel-binding data of the TLS session for SCRAM -PLUS, or null: a clear channel, or a type this session does not define. */
  channelBinding(type: string): Buffer | null {
    return this.tlsSocket === null ? null : channelBindingData(this.tlsSocket, type, "server");
  }

  /** True once IMAP COMPRESS switched the connection to DEFLATE. */
  get compressed(): boolean {
    return this.stream instanceof DeflateStream;
  }

  /** True once the connection is closing or closed: writes are dropped. */
  get isClosed(): boolean {
    return this.closing !== null || this.closedFlag;
  }

  /** Resolves when the socket is fully closed. */
  get closed(): Promise<void> {
    if (this.closedPromise === null) {
      this.closedPromise = this.closedFlag ? Promise.resolve() : new Promise((resolve) => (this.resolveClosed = resolve));
    }
    return this.closedPromise;
  }

  /** Octets received so far and when the last arrived: what a TransferDeadline measures. */
  get receivedOctets(): number {
    return this.received;
  }

  get lastInputAt(): number {
    return this.lastInput;
  }

  /** A deadline for message data: `graceMs` of stall at most, then at least `minOctetsPerSecond`. */
  transfer(graceMs: number, minOctetsPerSecond: number): TransferDeadline {
    return new TransferDeadline(this, graceMs, minOctetsPerSecond);
  }

  /** Queue a reply; it is sent when the session next waits for input or closes. */
  write(data: string | Buffer): void {
    if (this.isClosed) return;
    if (this.log && typeof data === "string") this.logReply(data);
    this.pending.push(data);
    this.pendingOctets += data.length;
    this.memory.charge(data.length);
  }

  /** Send everything queued. Pipelined commands get their replies in one batch (RFC 2920 §3.2). */
  flush(): void {
    if (this.pending.length === 0 || this.closedFlag) return;
    const parts = this.pending;
    const octets = this.pendingOctets;
    this.pending = [];
    this.pendingOctets = 0;
    this.outputCharged += octets;
    // Writes complete in order: the batch is given back to the budget when its last part is written.
    const written = () => {
      if (this.closedFlag) return;
      this.outputCharged -= octets;
      this.memory.release(octets);
    };
    if (parts.length === 1) {
      this.stream.write(parts[0]!, written);
      return;
    }
    // A small batch (untagged updates and the tagged line) as one chunk: each stream.write of a corked
    // batch costs a trip through the Writable machinery and an iovec, more than copying a few hundred octets.
    if (octets <= JOIN_MAX_OCTETS) {
      this.stream.write(parts.every((p) => typeof p === "string") ? parts.join("") : Buffer.concat(parts.map(asBuffer)), written);
      return;
    }
    this.stream.cork();
    for (let i = 0; i < parts.length - 1; i++) this.stream.write(parts[i]!);
    this.stream.write(parts[parts.length - 1]!, written);
    this.stream.uncork();
  }

  /**
   * After a command: when the replies not yet taken by the peer pass
   * OUTPUT_HIGH_WATER_OCTETS, send them and wait until the peer reads, so a
   * pipelining client that never reads cannot make us queue without bound.
   * Null when there is nothing to wait for (almost always): no promise to await per command.
   */
  relieveOutput(timeoutMs: number): Promise<void> | null {
    return this.pendingOctets + this.outputCharged > OUTPUT_HIGH_WATER_OCTETS ? this.flushAndDrain(timeoutMs) : null;
  }

  /**
   * Send what is queued and, if the peer is not keeping up, wait until the
   * socket's buffer drains. Long replies (IMAP FETCH of many messages) call
   * this between parts, so a slow reader cannot make us hold them all in memory.
   */
  async flushAndDrain(timeoutMs: number): Promise<void> {
    this.flush();
    if (!this.closedFlag && this.stream.writableNeedDrain) await this.waitFor("drain", timeoutMs);
  }

  /** Whether a complete line or at least some input is already buffered. */
  get bufferedOctets(): number {
    return this.input.length;
  }

  /**
   * The next line, or LINE_TOO_LONG when it exceeded `maxOctets` (its rest is
   * skipped up to the next LF so the session stays in step with the client).
   * A number limit is a deadline for the whole line from this call on: octets
   * trickling in do not extend it. `endsAt`: a deadline already running (a
   * parked read's), kept instead of a new one.
   */
  async readLine(maxOctets: number, limit: ReadLimit, endsAt = 0): Promise<ReadLine> {
    for (;;) {
      const line = this.takeLine(maxOctets);
      if (line !== null) return line;
      endsAt ||= typeof limit === "number" ? Date.now() + limit : 0;
      await this.waitForInput(limit, endsAt);
    }
  }

  /**
   * The session driver's read of a command line. An idle connection spends
   * its life here, so the wait holds no promise chain and no closure: the
   * line if one is buffered; else PARKED, and `reader.resume()` is called on
   * a later tick when input arrives, the peer closes or the deadline passes
   * (the next call then returns the line or throws PeerClosed / ReadTimeout).
   * Like readLine's, the deadline is for the whole line, from the first call
   * that found none. When the peer is not reading our replies, the wait for
   * them to drain comes first: then readLine's promise, with the same deadline.
   */
  lineOrPark(maxOctets: number, limitMs: number, reader: ParkedReader): ReadLine | typeof PARKED | Promise<ReadLine> {
    const line = this.takeLine(maxOctets);
    if (line !== null || this.ended || this.parkedTimedOut) {
      const timedOut = this.parkedTimedOut;
      this.unpark();
      if (line !== null) return line;
      if (this.ended) throw new PeerClosed();
      if (timedOut) throw new ReadTimeout(limitMs);
    }
    this.flush();
    if (this.stream.writableNeedDrain) {
      const endsAt = this.parkedEndsAt;
      this.unpark();
      return this.readLine(maxOctets, limitMs, endsAt);
    }
    if (this.stream.isPaused()) this.stream.resume();
    this.parked = reader;
    if (this.parkedEndsAt === 0) {
      this.parkedEndsAt = Date.now() + limitMs;
      this.parkedTimer = setTimeout(parkedDeadlinePassed, limitMs, this);
    }
    return PARKED;
  }

  /** Resume a parked reader now, with no input: something else it waits for happened (see LineAwaited.failure). */
  interrupt(): void {
    this.signal();
  }

  /** Called by the parked read's timer. */
  parkedDeadlinePassed(): void {
    this.parkedTimer = null;
    this.parkedTimedOut = true;
    this.signal();
  }

  private unpark(): void {
    if (this.parkedTimer !== null) clearTimeout(this.parkedTimer);
    this.parkedTimer = null;
    this.parked = null;
    this.parkedEndsAt = 0;
    this.parkedTimedOut = false;
  }

  /**
   * readLine without waiting: the next line if one is buffered, else null.
   * SMTP DATA reads a 100 KiB message as ~1,300 lines that mostly arrived
   * together; taking them synchronously saves a promise and a microtask turn
   * per line (profiled: a third of the DATA loop's cost).
   */
  takeLine(maxOctets: number): ReadLine | null {
    for (;;) {
      if (this.skippingLongLine) {
        return this.skipToLineEnd() ? LINE_TOO_LONG : null;
      }
      let line: Line | null;
      try {
        line = this.input.nextLine();
      } catch (error) {
        if (!(error instanceof LineTooLongError)) throw error;
        this.skippingLongLine = true;
        this.skippedLastOctet = -1;
        continue;
      }
      if (line === null) return null;
      this.uncountConsumedInput();
      if (line.bytes.length <= maxOctets) return line;
      this.skippedLineEnding = line.ending;
      return LINE_TOO_LONG;
    }
  }

  /**
   * SMTP DATA's bulk path: the buffered complete lines, up to `maxLines`, that
   * need no look one by one — each ends in CRLF, holds no other CR or LF, does
   * not start with "." (dot-stuffed, or the terminator) and has at most
   * `maxContentOctets` before its CRLF — as one view of the input, taken off
   * it. Null when the next line is not such a line (or none is complete):
   * takeLine() then reads it. Scanning the raw input once saves a copy and an
   * object per line (a 100 KiB message is ~1,300 lines).
   */
  takeCleanLines(maxContentOctets: number, maxLines: number): { bytes: Buffer; lines: number } | null {
    if (this.skippingLongLine || this.input.length === 0) return null;
    const data = this.input.drain();
    let end = 0;
    let lines = 0;
    while (lines < maxLines) {
      const lf = data.indexOf(0x0a, end);
      if (lf === -1 || lf === end || data[lf - 1] !== 0x0d || data[end] === 0x2e) break;
      if (lf - 1 - end > maxContentOctets || data.indexOf(0x0d, end) !== lf - 1) break;
      end = lf + 1;
      lines++;
    }
    this.input.push(end === 0 ? data : data.subarray(end));
    if (end === 0) return null;
    this.uncountConsumedInput();
    return { bytes: data.subarray(0, end), lines };
  }

  /** Between 1 and `max` octets of raw input (BDAT chunks, IMAP literals). */
  async readChunk(max: number, limit: ReadLimit): Promise<Buffer> {
    let endsAt = 0;
    for (;;) {
      const available = Math.min(max, this.input.length);
      if (available > 0) {
        const bytes = this.input.nextBytes(available)!;
        this.uncountConsumedInput();
        return bytes;
      }
      endsAt ||= typeof limit === "number" ? Date.now() + limit : 0;
      await this.waitForInput(limit, endsAt);
    }
  }

  /**
   * Upgrade to TLS in place (STARTTLS, STLS). The caller has queued its "go
   * ahead" reply. Anything the client pipelined behind the command is thrown
   * away — the STARTTLS command-injection attack (CVE-2011-0411) lives there.
   * Returns how many octets were discarded.
   */
  async startTls(context: tls.SecureContext): Promise<number> {
    this.flush();
    const discarded = this.input.drain().length;
    this.uncountConsumedInput();
    this.skippingLongLine = false;
    if (this.closedFlag) throw new PeerClosed();
    const plain = this.stream;
    this.detach(plain);
    // 'close' of the plain socket must still end this connection if TLS never starts.
    plain.once("close", this.onClose);
    plain.on("error", () => {});
    const secure = new tls.TLSSocket(plain as net.Socket, { isServer: true, secureContext: context });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error("TLS handshake timed out")), TLS_HANDSHAKE_TIMEOUT_MS);
      // A client gone after the go-ahead raises no TLS error: without this the session would linger until the timeout.
      const vanished = () => fail(new Error("peer closed during the TLS handshake"));
      const fail = (error: Error) => {
        clearTimeout(timer);
        for (const event of ["close", "end"]) plain.off(event, vanished);
        secure.destroy();
        reject(error);
      };
      secure.once("secure", () => {
        clearTimeout(timer);
        secure.off("error", fail);
        for (const event of ["close", "end"]) {
          plain.off(event, vanished);
          secure.off(event, vanished);
        }
        resolve();
      });
      secure.once("error", fail);
      // The listeners allow half-open sockets, so a hang-up is an 'end' with no 'close'
      // to follow; and the TLSSocket takes over the plain socket's handle, so it may
      // surface on either.
      for (const event of ["close", "end"]) {
        plain.once(event, vanished);
        secure.once(event, vanished);
      }
    }).catch(() => {
      this.ended = true;
      throw new PeerClosed();
    });
    plain.off("close", this.onClose);
    this.stream = secure;
    this.secure = true;
    this.tlsSocket = secure;
    this.attach(secure);
    return discarded;
  }

  /**
   * Compress both directions from here on (IMAP COMPRESS DEFLATE, RFC 4978):
   * the caller's queued OK goes out uncompressed first, and octets already
   * received behind the command are the client's first compressed data. The
   * layer sits above TLS, so it compresses before TLS encrypts (RFC 4978 §3).
   */
  startCompression(): void {
    this.flush();
    const alreadyReceived = this.input.drain();
    this.uncountConsumedInput();
    const below = this.stream;
    this.detach(below);
    const compressed = new DeflateStream(below, alreadyReceived);
    this.stream = compressed;
    this.attach(compressed);
  }

  /** Flush, half-close, and resolve once the socket is closed (destroyed after `graceMs`). */
  close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.closing) return this.closing;
    this.flush();
    this.closing = (async () => {
      if (!this.closedFlag) {
        this.stream.end();
        const timer = setTimeout(() => this.stream.destroy(), graceMs);
        await this.closed;
        clearTimeout(timer);
      }
    })();
    return this.closing;
  }

  /** Drop the connection without a word (a peer that is already gone). */
  destroy(): void {
    this.memory.release(this.pendingOctets);
    this.pending = [];
    this.pendingOctets = 0;
    this.stream.destroy();
  }

  /** Wait for more input until `endsAt` (a line's deadline) or the transfer's deadline. */
  private async waitForInput(limit: ReadLimit, endsAt: number): Promise<void> {
    if (this.ended) throw new PeerClosed();
    this.flush();
    const deadline = typeof limit === "number" ? endsAt : limit.endsAt();
    const ms = typeof limit === "number" ? limit : limit.graceMs;
    // A client that never reads our replies must not make us buffer without bound.
    if (this.stream.writableNeedDrain) await this.waitFor("drain", Math.max(0, deadline - Date.now()), () => readTimeout(limit, ms));
    if (this.stream.isPaused()) this.stream.resume();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(readTimeout(limit, ms));
      }, Math.max(0, deadline - Date.now()));
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private waitFor(event: "drain", timeoutMs: number, timeout = () => new ReadTimeout(timeoutMs)): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.stream.off(event, done);
        this.stream.off("close", done);
        if (this.closedFlag) reject(new PeerClosed());
        else resolve();
      };
      const timer = setTimeout(() => {
        this.stream.off(event, done);
        this.stream.off("close", done);
        reject(timeout());
      }, timeoutMs);
      this.stream.once(event, done);
      this.stream.once("close", done);
    });
  }

  private skipToLineEnd(): boolean {
    const data = this.input.drain();
    const lf = data.indexOf(0x0a);
    if (lf !== -1) this.input.push(data.subarray(lf + 1));
    this.uncountConsumedInput();
    if (lf === -1) {
      if (data.length > 0) this.skippedLastOctet = data[data.length - 1]!;
      return false;
    }
    const beforeLf = lf > 0 ? data[lf - 1] : this.skippedLastOctet;
    this.skippedLineEnding = beforeLf === 0x0d ? "crlf" : "lf";
    this.skippedLastOctet = -1;
    this.skippingLongLine = false;
    return true;
  }

  /** Give back to the budget the input octets a read took off the buffer. */
  private uncountConsumedInput(): void {
    // After the close everything was given back; lines still buffered may be read (pipelined, then reset).
    if (this.closedFlag) return;
    const consumed = this.inputCharged - this.input.length;
    if (consumed === 0) return;
    this.inputCharged -= consumed;
    this.memory.release(consumed);
  }

  /** The socket is gone: what it buffered or queued is no longer counted (the buffers die with the session). */
  private releaseAll(): void {
    this.memory.release(this.inputCharged + this.pendingOctets + this.outputCharged);
    this.inputCharged = this.pendingOctets = this.outputCharged = 0;
  }

  private signal(): void {
    this.wake?.();
    const reader = this.parked;
    if (reader === null) return;
    this.parked = null;
    // On the next tick, as a resolved promise would: not inside the socket's event.
    process.nextTick(resumeReader, reader);
  }

  private attach(stream: Stream): void {
    stream.on("data", this.onData);
    stream.on("end", this.onEnd);
    stream.on("close", this.onClose);
    stream.on("error", this.onError);
  }

  private detach(stream: Stream): void {
    stream.off("data", this.onData);
    stream.off("end", this.onEnd);
    stream.off("close", this.onClose);
    stream.off("error", this.onError);
  }

  private logReply(text: string): void {
    const first = text.split("\r\n", 1)[0] ?? "";
    this.log!(`${this.id} S: ${first.length > 120 ? first.slice(0, 120) + "..." : first}`);
  }
}

/** Timer and tick callbacks of a parked read (declared functions: no closure per connection). */
function parkedDeadlinePassed(conn: Connection): void {
  conn.parkedDeadlinePassed();
}

function resumeReader(reader: ParkedReader): void {
  reader.resume();
}

/** The error of a read that ran out of time (a declared function: no closure per waiting read). */
function readTimeout(limit: ReadLimit, ms: number): ReadTimeout {
  return new ReadTimeout(ms, typeof limit === "number" ? null : limit.describe());
}

/** "::ffff:127.0.0.1" → "127.0.0.1": IPv4 clients on a dual-stack socket. */
function normaliseAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** Loopback peers may use plaintext AUTH before TLS under the default policy. */
export function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.");
}

// One client socket of a test: TCP connect, TLS (implicit or upgraded), bounded
// reading under a Deadline, and the transcript of everything that crosses it.
// Protocol readers pull lines and byte runs from here; whatever the peer does
// (silence, drip, flood, reset, close, bad TLS) surfaces as a StepFailure with
// a class, never as a hang or unbounded memory.
// Standards: RFC 8314 (implicit TLS), RFC 3207 §4 / RFC 2595 §4 (STARTTLS: no plaintext after the go-ahead), RFC 4978 §3 (COMPRESS, above TLS).

import { readFileSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { clientChannelBinding, type ChannelBinding } from "../../wire/channel-binding.ts";
import { DeflateStream } from "../../wire/deflate-stream.ts";
import { LineBuffer, LineTooLongError, type Line } from "../../wire/lines.ts";
import type { Deadline } from "../../wire/deadline.ts";
import { ImapLimitError } from "../../wire/imap-tokens.ts";
import { printable } from "../../wire/printable.ts";
import { StepFailure, TestAborted } from "./step-failure.ts";
import { TLS_ALERT_CONTENT_TYPE, TLS_ALERT_RECORD_OCTETS, tlsAlertAt } from "./tls-alert.ts";
import type { Transcript } from "./transcript.ts";
import type { ReadLimits } from "./read-limits.ts";

export { DEFAULT_READ_LIMITS, type ReadLimits } from "./read-limits.ts";

/** Octets read ahead of the protocol reader before the socket is paused (TCP backpressure then holds the flood). */
const READ_AHEAD_OCTETS = 1024 * 1024;
/** How much unread input the transcript shows at the end of a test. */
const UNREAD_SHOWN_OCTETS = 64 * 1024;
/** How much of the latest input a failure message quotes. */
const QUOTED_TAIL_OCTETS = 200;

/**
 * What a reader takes off the input with Connection.pull(): a line, an SMTP
 * reply, a POP3 body, an IMAP response. An object (the reader's own assembler),
 * not a closure made per read.
 */
export interface PullUnit<T> {
  /** The unit, taken off the buffer, or null while it is incomplete (take() runs again on the next input). */
  take(what: string): T | null;
  /** Octets the reader waits for beyond the read-ahead (an IMAP literal): the socket is not paused below this. */
  waitingOctets?(): number;
}

export interface ConnectOptions {
  name: string;
  host: string;
  port: number;
  /** A Unix-domain socket path dialled instead of host and port (an LMTP endpoint's `socket`). */
  socketPath?: string;
  implicitTls: boolean;
  insecure: boolean;
  /** PEM file of certificates trusted instead of the system's (Target.tlsCa). */
  caFile?: string;
  transcript: Transcript;
  limits: ReadLimits;
  /** One budget for TCP connect, TLS handshake (and the greeting, read by the caller). */
  deadline: Deadline;
  signal?: AbortSignal;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    // OpenSSL errors carry their error stack on several lines; a failure message is one line.
    const message = error.message.trim().replace(/\s*\n\s*/g, " ");
    return code && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(error);
}

function tcpConnect(options: ConnectOptions): Promise<net.Socket> {
  const where = options.socketPath ?? `${options.host}:${options.port}`;
  const wanted = options.socketPath === undefined ? `a TCP connection to ${where}` : `a connection to the socket ${where}`;
  return new Promise((resolve, reject) => {
    const socket = options.socketPath !== undefined ? net.connect({ path: options.socketPath }) : net.connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      done();
      socket.destroy();
      reject(new StepFailure("connection", `could not connect to ${where} within ${options.deadline.ms} ms`, wanted, "no answer"));
    }, options.deadline.remaining());
    const onAbort = (): void => {
      done();
      socket.destroy();
      reject(new TestAborted());
    };
    const done = (): void => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      socket.removeAllListeners("connect");
      socket.removeAllListeners("error");
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      done();
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (error) => {
      done();
      socket.destroy();
      reject(new StepFailure("connection", `cannot connect to ${where}: ${describeError(error)}`, wanted, describeError(error)));
    });
  });
}

/** Node's and OpenSSL's codes for a certificate the client refused to trust (the handshake itself worked). */
const UNTRUSTED = /\b(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|CERT_UNTRUSTED|CERT_SIGNATURE_FAILURE)\b/;
/** Refused for what the certificate says, which trusting it would not change. */
const MISMATCHED = /\b(ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID)\b/;

/**
 * Said once per run, after the results, when certificate verification
 * refused the server: how to trust its certificate (--ca, tls-ca) or skip
 * the check (--insecure, insecure: true). Undefined when no failure was one.
 */
export function certificateTrustHint(failures: readonly { class: string; message: string; actual: string }[]): string | undefined {
  const texts = failures.filter((f) => f.class === "tls").map((f) => `${f.message} ${f.actual}`);
  const untrusted = texts.filter((t) => UNTRUSTED.test(t));
  const mismatched = texts.filter((t) => MISMATCHED.test(t));
  const count = (n: number) => `${n} test${n === 1 ? "" : "s"}`;
  if (untrusted.length > 0) {
    return (
      `mailconform: ${count(untrusted.length)} failed because the server's TLS certificate is not trusted (${UNTRUSTED.exec(untrusted[0]!)![1]}). ` +
      "Trust it with --ca FILE (a PEM file of the certificate or its CA; `tls-ca: FILE` in a target file) — `mailconform serve` prints its certificate's path — " +
      "or skip verification with --insecure (`insecure: true`)."
    );
  }
  if (mismatched.length > 0) {
    return `mailconform: ${count(mismatched.length)} failed because the server's TLS certificate does not fit (${MISMATCHED.exec(mismatched[0]!)![1]}): fix the certificate or the host name, or skip verification with --insecure (\`insecure: true\`).`;
  }
  return undefined;
}

/** Trusted certificates per file, read once per process (the loader already checked each file). */
const trustedCertificates = new Map<string, Buffer>();

function trusted(file: string): Buffer {
  let pem = trustedCertificates.get(file);
  if (pem === undefined) {
    pem = readFileSync(file);
    trustedCertificates.set(file, pem);
  }
  return pem;
}

/**
 * TLS client handshake on an open socket, verifying the certificate against
 * the target host unless `insecure` — against the certificates of `caFile`
 * when given, so a private CA's or pinned server's expired or wrong-host
 * certificate fails for that reason, not as "self-signed".
 * SNI only for names (RFC 6066 §3: no IP literals).
 */
function handshake(raw: net.Socket, options: ConnectOptions, deadline: Deadline): Promise<tls.TLSSocket> {
  const { host, insecure, caFile, signal } = options;
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket: raw,
      host,
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: !insecure,
      ...(caFile !== undefined ? { ca: trusted(caFile) } : {}),
    });
    const fail = (failure: Error): void => {
      done();
      secure.destroy();
      raw.destroy();
      reject(failure);
    };
    const timer = setTimeout(
      () => fail(new StepFailure("tls", `TLS handshake not finished within ${deadline.ms} ms`, "a TLS handshake", "no handshake")),
      deadline.remaining(),
    );
    const onAbort = (): void => fail(new TestAborted());
    const onError = (error: Error): void =>
      fail(new StepFailure("tls", `TLS handshake failed: ${describeError(error)}`, "a TLS handshake", describeError(error)));
    const onClose = (): void =>
      fail(new StepFailure("tls", "connection closed during the TLS handshake", "a TLS handshake", "connection closed"));
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      secure.off("error", onError);
      secure.off("close", onClose);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    secure.once("error", onError);
    secure.once("close", onClose);
    secure.once("secureConnect", () => {
      done();
      resolve(secure);
    });
  });
}

/** Whoever waits for the next socket event on a connection. */
interface Waiter {
  readonly deadline: Deadline;
  wake(event: boolean): void;
  abort(error: Error): void;
}

/**
 * One pull() in progress: retried from the socket event that wakes it rather
 * than from an async loop, so a read costs one promise and no async frame or
 * extra microtask hop per wake-up (bench/runner-step.ts).
 */
class PendingPull<T> implements Waiter {
  constructor(
    private readonly conn: Connection,
    readonly unit: PullUnit<T>,
    readonly deadline: Deadline,
    readonly what: string,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  needOctets(): number {
    return this.unit.waitingOctets?.() ?? 0;
  }

  wake(event: boolean): void {
    if (event) this.conn.attemptPull(this);
    else this.reject(this.conn.timeoutFailure(this.deadline, this.what));
  }

  abort(error: Error): void {
    this.reject(error);
  }
}

export class Connection {
  readonly buffer: LineBuffer;
  /** Index into the target's users that ${user.*} means on this connection. */
  userIndex = 0;
  /** The TCP or TLS socket, or the DEFLATE layer over it once IMAP COMPRESS succeeded. */
  private socket: net.Socket | DeflateStream;
  private peerEnded = false;
  private socketError: Error | undefined;
  /** The pending wait (waitForEvent or pull): woken by a socket event (true), the wait timer (false) or the run's abort. */
  private waiter: Waiter | null = null;
  /**
   * One wait timer per connection, not one per read: it stays armed across
   * waits and steps, and when it fires before the current wait's deadline it
   * re-arms for the rest. A setTimeout/clearTimeout pair per read showed in
   * the runner-step profile (bench/runner-step.ts).
   */
  private timer: NodeJS.Timeout | undefined;
  /** Date.now() at which `timer` fires. */
  private timerDue = 0;
  /** Octets a reader waits for (an IMAP literal): the socket is not paused below this. */
  private needOctets = 0;
  private closedByUs = false;
  /** Set only by sendCommand / sendCommandBytes, once the write went out. */
  private sentCommand: string | undefined;
  /** The line takeLine() returned last, and the transcript's text of it when that is its UTF-8 text too (see lineText). */
  private lastLine: Buffer | undefined;
  private lastLineText: string | undefined;

  static async open(options: ConnectOptions): Promise<Connection> {
    const raw = await tcpConnect(options);
    const socket = options.implicitTls ? await handshake(raw, options, options.deadline) : raw;
    const connection = new Connection(options, socket);
    if (socket instanceof tls.TLSSocket) connection.noteTls(socket);
    return connection;
  }

  private constructor(
    private readonly options: ConnectOptions,
    socket: net.Socket,
  ) {
    this.buffer = new LineBuffer({ maxLineOctets: options.limits.maxLineOctets });
    this.socket = socket;
    this.attach(socket);
    options.signal?.addEventListener("abort", this.onAbort, { once: true });
  }

  get name(): string {
    return this.options.name;
  }

  get limits(): ReadLimits {
    return this.options.limits;
  }

  get transcript(): Transcript {
    return this.options.transcript;
  }

  /** The last command a step sent, after interpolation, secrets redacted (Failure.command). */
  get lastCommand(): string | undefined {
    return this.sentCommand;
  }

  get isTls(): boolean {
    return this.transport instanceof tls.TLSSocket;
  }

  /** The TLS session's channel binding for SCRAM -PLUS (wire/channel-binding.ts); null on a clear channel. */
  get channelBinding(): ChannelBinding | null {
    const transport = this.transport;
    return transport instanceof tls.TLSSocket ? clientChannelBinding(transport) : null;
  }

  /** True once IMAP COMPRESS switched the connection to DEFLATE. */
  get isCompressed(): boolean {
    return this.socket instanceof DeflateStream;
  }

  /** The TCP or TLS socket under any compression layer. */
  private get transport(): net.Socket {
    return this.socket instanceof DeflateStream ? (this.socket.inner as net.Socket) : this.socket;
  }

  /** Local address, for an EHLO address literal (RFC 5321 §4.1.3). */
  get localAddress(): string {
    return this.transport.localAddress ?? "127.0.0.1";
  }

  /** The peer closed (FIN, reset or error) and every byte it sent has been read. */
  get atEof(): boolean {
    return this.peerEnded && this.buffer.length === 0;
  }

  get peerGone(): boolean {
    return this.peerEnded;
  }

  get usable(): boolean {
    return !this.closedByUs && !this.socket.destroyed;
  }

  private readonly onData = (chunk: Buffer): void => {
    // Held for a long literal, a short read would pin the whole read buffer it is a slice of (64 KiB for a few
    // octets): keep a compact copy instead, so a 64 MiB literal costs 64 MiB, not several times that.
    const compact = this.needOctets > READ_AHEAD_OCTETS && chunk.length * 2 < chunk.buffer.byteLength;
    this.buffer.push(compact ? Buffer.from(chunk) : chunk);
    if (this.buffer.length > Math.max(READ_AHEAD_OCTETS, this.needOctets)) this.socket.pause();
    const transcript = this.options.transcript;
    if (this.waiter === null || transcript.clockPinned) {
      this.notify();
      return;
    }
    // The lines a waiting reader takes from this chunk now (an EHLO reply, an IMAP FETCH) arrived now: one clock read for all.
    transcript.pinClock(Date.now());
    try {
      this.notify();
    } finally {
      transcript.unpinClock();
    }
  };

  private readonly onEnd = (): void => {
    this.peerEnded = true;
    this.notify();
  };

  private readonly onError = (error: Error): void => {
    this.socketError ??= error;
    this.peerEnded = true;
    this.notify();
  };

  private attach(socket: net.Socket | DeflateStream): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("close", this.onClosed);
    socket.on("error", this.onError);
  }

  /** The socket is gone (either side): every waiter has been told, so the abort listener can go too. */
  private readonly onClosed = (): void => {
    this.options.signal?.removeEventListener("abort", this.onAbort);
  };

  private detach(socket: net.Socket | DeflateStream): void {
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("close", this.onEnd);
    socket.off("close", this.onClosed);
    socket.off("error", this.onError);
  }

  private notify(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    waiter.wake(true);
  }

  private readonly onAbort = (): void => {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    waiter.abort(new TestAborted());
  };

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const waiter = this.waiter;
    if (!waiter) return;
    const left = waiter.deadline.remaining();
    if (left > 0) {
      this.arm(waiter.deadline);
      return;
    }
    this.waiter = null;
    waiter.wake(false);
  };

  /** Make sure the wait timer fires no later than `deadline` ends. */
  private arm(deadline: Deadline): void {
    if (this.timer !== undefined && this.timerDue <= deadline.endsAt) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, deadline.remaining());
    this.timerDue = deadline.endsAt;
  }

  private noteTls(socket: tls.TLSSocket): void {
    const cipher = socket.getCipher();
    this.transcript.note(this.name, { kind: "tls-established", version: socket.getProtocol() ?? "?", cipher: cipher?.name ?? "" });
  }

  /**
   * Wait for the next socket event (data, close, error). Resolves true on an
   * event, false when the deadline passed; rejects only when the run is aborted.
   */
  waitForEvent(deadline: Deadline): Promise<boolean> {
    const signal = this.options.signal;
    if (signal?.aborted) return Promise.reject(new TestAborted());
    if (this.peerEnded) return Promise.resolve(true);
    this.arm(deadline);
    return new Promise((resolve, reject) => {
      this.waiter = { deadline, wake: resolve, abort: reject };
    });
  }

  /** What the latest input looked like, for "actual:" in a failure. */
  describeUnread(): string {
    if (this.buffer.length === 0) return this.peerEnded ? "connection closed" : "nothing";
    // The quoted input is unread, so it is still in the buffer: nothing is copied aside per chunk.
    const shown = printable(this.buffer.tail(QUOTED_TAIL_OCTETS));
    const prefix = this.buffer.length > QUOTED_TAIL_OCTETS ? "…" : "";
    return `${prefix}"${shown}" (${this.buffer.length} octets without a line end)`;
  }

  /** The failure for "the peer is gone and what I need has not arrived". */
  closedFailure(what: string): StepFailure {
    const partial = this.buffer.length > 0 ? ` after ${this.buffer.length} octets of an incomplete reply` : "";
    const error = this.socketError as NodeJS.ErrnoException | undefined;
    if (error && error.code === "ECONNRESET") {
      return new StepFailure("connection", `connection reset by server${partial} while waiting for ${what}`, undefined, `connection reset (${this.describeUnread()})`);
    }
    if (error) {
      const cls = error.code?.startsWith("ERR_SSL") || error.message.includes("SSL") ? "tls" : "connection";
      return new StepFailure(cls, `connection failed while waiting for ${what}: ${describeError(error)}`, undefined, describeError(error));
    }
    return new StepFailure("connection", `connection closed by server${partial} while waiting for ${what}`, undefined, this.buffer.length > 0 ? this.describeUnread() : "connection closed");
  }

  timeoutFailure(deadline: Deadline, what: string): StepFailure {
    const received = this.buffer.length > 0 ? this.describeUnread() : "no data";
    return new StepFailure("timeout", `timed out after ${deadline.ms} ms waiting for ${what}`, undefined, received);
  }

  /**
   * Take a unit off the buffer with `unit.take` (a line, an SMTP reply, an IMAP
   * response), waiting for more input until the deadline. Read-limit errors
   * become protocol violations: a peer that exceeds them cannot be read further.
   */
  pull<T>(unit: PullUnit<T>, deadline: Deadline, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.attemptPull(new PendingPull(this, unit, deadline, what, resolve, reject));
    });
  }

  /** One round of pull(): take, or settle with a failure, or wait for the next event (which retries). */
  attemptPull<T>(pull: PendingPull<T>): void {
    try {
      const value = this.takeFor(pull);
      this.needOctets = pull.needOctets();
      if (this.socket.isPaused() && this.buffer.length <= Math.max(READ_AHEAD_OCTETS, this.needOctets)) this.socket.resume();
      if (value !== null) return pull.resolve(value);
      if (this.peerEnded) return pull.reject(this.closedFailure(pull.what));
      if (this.options.signal?.aborted) return pull.reject(new TestAborted());
      this.arm(pull.deadline);
      this.waiter = pull;
    } catch (error) {
      pull.reject(error);
    }
  }

  /** pull's take, with read-limit errors as protocol violations. */
  private takeFor<T>(pull: PendingPull<T>): T | null {
    // Not inside an IMAP literal, whose octets may be anything.
    if (this.buffer.firstByte() === TLS_ALERT_CONTENT_TYPE && !this.isTls && pull.needOctets() === 0) {
      const alert = this.takeTlsAlert();
      if (alert === "partial") return null;
      if (alert !== null) {
        throw new StepFailure("tls", `server closed the connection with a TLS alert (${alert}) while waiting for ${pull.what}`, undefined, `TLS alert: ${alert}`);
      }
    }
    try {
      return pull.unit.take(pull.what);
    } catch (error) {
      if (error instanceof LineTooLongError) {
        throw new StepFailure("protocol-violation", `line longer than ${error.limit} octets while reading ${pull.what}`, undefined, this.describeUnread());
      }
      if (error instanceof ImapLimitError) {
        throw new StepFailure("protocol-violation", `${error.message} while reading ${pull.what}`, undefined, this.describeUnread());
      }
      throw error;
    }
  }

  /**
   * A plaintext TLS alert record at the head of the input, taken off and
   * noted in the transcript: the server's TLS stack refusing bytes that were
   * no handshake, before it closes (runner/session/tls-alert.ts). Null when
   * the input starts otherwise; "partial" while the record is incomplete.
   */
  takeTlsAlert(): string | null | "partial" {
    const alert = tlsAlertAt(this.buffer.head(TLS_ALERT_RECORD_OCTETS));
    if (alert === null || alert === "partial") return alert;
    this.buffer.nextBytes(TLS_ALERT_RECORD_OCTETS);
    this.transcript.record(this.name, "*", `TLS alert record from the server: ${alert}`);
    return alert;
  }

  /**
   * One CRLF-terminated line, recorded in the transcript. A bare LF ending is a
   * protocol violation (every mail protocol mandates CRLF; lenient parsing of it
   * is what SMTP smuggling exploits).
   */
  readLine(deadline: Deadline, what: string): Promise<Buffer> {
    // Not async: the check runs inside pull's take, one async frame less per line read.
    return this.pull(this.crlfLine, deadline, what);
  }

  /** readLine's unit for pull(). Made once, not per read. */
  private readonly crlfLine: PullUnit<Buffer> = { take: (what) => this.takeLine(what) };

  /**
   * readLine without the wait, for a reader's own pull() unit (an SMTP reply
   * of several lines): the next buffered line, checked and recorded as
   * readLine does, or null when no complete line is buffered. `view`: the
   * bytes are a view into the input, for a reader that keeps none of them
   * (the line's text comes from lineText()).
   */
  takeLine(what: string, view = false): Buffer | null {
    const line: Line | null = this.buffer.nextLine(!view);
    if (line === null) return null;
    if (line.ending !== "crlf") {
      this.transcript.record(this.name, "S", Buffer.concat([line.bytes, Buffer.from("\n")]));
      throw new StepFailure("protocol-violation", `line ended by a bare LF instead of CRLF while reading ${what}`, "lines ended by CRLF", printable(line.bytes, 200));
    }
    this.lastLine = line.bytes;
    this.lastLineText = this.transcript.record(this.name, "S", line.bytes);
    return line.bytes;
  }

  /**
   * A line from takeLine() decoded as UTF-8: for the line just taken, the
   * string its transcript line keeps when that is the same text (printable
   * ASCII): one decode per line, not two (bench/runner-step.ts).
   */
  lineText(bytes: Buffer): string {
    return bytes === this.lastLine && this.lastLineText !== undefined ? this.lastLineText : bytes.toString("utf8");
  }

  /**
   * Send bytes that are no command of their own (an IMAP literal's content).
   * `shown` replaces the transcript text (redacted SASL payloads); otherwise
   * the bytes are recorded line by line with passwords redacted.
   */
  write(bytes: Buffer, shown?: readonly string[]): void {
    this.requireWritable();
    if (shown) for (const text of shown) this.transcript.record(this.name, "C", text);
    else this.transcript.recordSent(this.name, bytes);
    this.socket.write(bytes);
  }

  /**
   * A step's command line, CRLF added, shown in the transcript as `shown`
   * (the protocol masks what the line carries in clear: PASS, SASL payloads).
   * Written as a string, no Buffer per command (UTF-8, as Buffer.from).
   */
  sendCommand(line: string, shown: string): void {
    this.requireWritable();
    const text = this.transcript.redact(shown);
    this.transcript.record(this.name, "C", text);
    this.socket.write(`${line}\r\n`);
    this.sentCommand = text;
  }

  /** A step's command that is not one line (lines in one write, message content, raw octets), shown as `command`. */
  sendCommandBytes(bytes: Buffer, command: string, shown?: readonly string[]): void {
    this.write(bytes, shown);
    this.sentCommand = this.transcript.redact(command);
  }

  private requireWritable(): void {
    if (this.socket.destroyed || this.closedByUs) {
      throw new StepFailure("connection", "connection is closed: cannot send", undefined, this.peerEnded ? "connection closed by server" : "connection closed");
    }
  }

  /**
   * Upgrade to TLS after a STARTTLS/STLS go-ahead. Bytes already received
   * after the go-ahead are plaintext the server had no right to send: the
   * STARTTLS command-injection flaw (CVE-2011-0411) in reverse.
   */
  async startTls(deadline: Deadline): Promise<void> {
    if (this.buffer.length > 0) {
      throw new StepFailure(
        "protocol-violation",
        `server sent ${this.buffer.length} octets after the TLS go-ahead, before the handshake`,
        "nothing until the TLS handshake",
        this.describeUnread(),
      );
    }
    if (this.peerEnded) throw this.closedFailure("the TLS handshake");
    const raw = this.transport;
    this.detach(raw);
    raw.resume();
    const secure = await handshake(raw, this.options, deadline);
    this.socket = secure;
    this.attach(secure);
    this.noteTls(secure);
  }

  /**
   * Compress both directions from here on, after the server's OK to IMAP
   * COMPRESS DEFLATE (RFC 4978 §3: it "MUST compress starting immediately
   * after the CRLF which ends the tagged OK response"). Octets already read
   * past that OK are its first compressed data; they are inflated, not parsed.
   * The layer sits above TLS: compressed first, then encrypted.
   */
  startCompression(): void {
    const alreadyReceived = this.buffer.length > 0 ? this.buffer.nextBytes(this.buffer.length)! : undefined;
    const below = this.socket;
    this.detach(below);
    const compressed = new DeflateStream(below, alreadyReceived);
    this.socket = compressed;
    this.attach(compressed);
    this.transcript.note(this.name, { kind: "compression", algorithm: "DEFLATE" });
  }

  /** Client-side close: FIN now; the socket is destroyed by destroy() at test end at the latest. */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    // A closed connection needs no abort: a retry's many short-lived connections would otherwise pile
    // listeners onto the test's one signal (MaxListenersExceededWarning) until the test ends.
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.transcript.note(this.name, { kind: "closed", by: "client" });
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Tear down, recording whatever arrived but was never read. */
  destroy(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.flushUnread();
    this.detach(this.socket);
    this.socket.on("error", () => {});
    this.socket.destroy();
    this.closedByUs = true;
    this.notify();
  }

  /** Record unread input in the transcript (it explains many failures), then drop it. */
  flushUnread(): void {
    if (this.buffer.length === 0) return;
    const octets = this.buffer.length;
    // Only the part shown is copied: 64 MiB of an unfinished literal is not concatenated to quote 64 KiB of it.
    const shown = this.buffer.head(UNREAD_SHOWN_OCTETS);
    this.buffer.clear();
    for (const line of shown.toString("latin1").split("\r\n")) {
      if (line.length > 0) this.transcript.record(this.name, "S", Buffer.from(line, "latin1"));
    }
    this.transcript.note(this.name, { kind: "unread", octets });
  }
}

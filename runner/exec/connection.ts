// One client socket of a test: TCP connect, TLS (implicit or upgraded), bounded
// reading under a Deadline, and the transcript of everything that crosses it.
// Protocol readers pull lines and byte runs from here; whatever the peer does
// (silence, drip, flood, reset, close, bad TLS) surfaces as a StepFailure with
// a class, never as a hang or unbounded memory.
// Standards: RFC 8314 (implicit TLS), RFC 3207 §4 / RFC 2595 §4 (STARTTLS: no plaintext after the go-ahead).

import net from "node:net";
import tls from "node:tls";
import { LineBuffer, LineTooLongError } from "../wire/lines.ts";
import type { Deadline } from "../wire/deadline.ts";
import { ImapLimitError } from "../wire/imap-tokens.ts";
import { printable } from "../wire/printable.ts";
import { StepFailure, TestAborted } from "./step-failure.ts";
import type { Transcript } from "./transcript.ts";

export interface ReadLimits {
  /** Longest line the runner buffers. Lenient on purpose: conformance limits (512, 1000) are checked by matchers. */
  maxLineOctets: number;
  /** Largest reply / multiline body / IMAP response set one expectation reads. */
  maxReplyOctets: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = {
  // 64 KiB: far above any legal line (RFC 5321 §4.5.3.1.5: 512), so only hostile input hits it.
  maxLineOctets: 64 * 1024,
  // 64 MiB: room for a large RETR or FETCH, while a gigabyte flood fails fast.
  maxReplyOctets: 64 * 1024 * 1024,
};

/** Octets read ahead of the protocol reader before the socket is paused (TCP backpressure then holds the flood). */
const READ_AHEAD_OCTETS = 1024 * 1024;
/** How much of the latest input a failure message quotes. */
const QUOTED_TAIL_OCTETS = 200;

export interface ConnectOptions {
  name: string;
  host: string;
  port: number;
  implicitTls: boolean;
  insecure: boolean;
  transcript: Transcript;
  limits: ReadLimits;
  /** One budget for TCP connect, TLS handshake (and the greeting, read by the caller). */
  deadline: Deadline;
  signal?: AbortSignal;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

function tcpConnect(options: ConnectOptions): Promise<net.Socket> {
  const where = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      done();
      socket.destroy();
      reject(new StepFailure("connection", `could not connect to ${where} within ${options.deadline.ms} ms`, `a TCP connection to ${where}`, "no answer"));
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
      reject(new StepFailure("connection", `cannot connect to ${where}: ${describeError(error)}`, `a TCP connection to ${where}`, describeError(error)));
    });
  });
}

/**
 * TLS client handshake on an open socket, verifying the certificate against
 * the target host unless `insecure`. SNI only for names (RFC 6066 §3: no IP literals).
 */
function handshake(raw: net.Socket, host: string, insecure: boolean, deadline: Deadline, signal?: AbortSignal): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket: raw,
      host,
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: !insecure,
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

export class Connection {
  readonly buffer: LineBuffer;
  /** The last command sent, after interpolation, secrets redacted (for Failure.command). */
  lastCommand: string | undefined;
  /** Index into the target's users that ${user.*} means on this connection. */
  userIndex = 0;
  private socket: net.Socket;
  private peerEnded = false;
  private socketError: Error | undefined;
  private wake: (() => void) | null = null;
  private recent: Buffer = Buffer.alloc(0);
  /** Octets a reader waits for (an IMAP literal): the socket is not paused below this. */
  private needOctets = 0;
  private closedByUs = false;

  static async open(options: ConnectOptions): Promise<Connection> {
    const raw = await tcpConnect(options);
    const socket = options.implicitTls ? await handshake(raw, options.host, options.insecure, options.deadline, options.signal) : raw;
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

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** Local address, for an EHLO address literal (RFC 5321 §4.1.3). */
  get localAddress(): string {
    return this.socket.localAddress ?? "127.0.0.1";
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
    this.buffer.push(chunk);
    this.recent = chunk.length >= QUOTED_TAIL_OCTETS ? chunk.subarray(chunk.length - QUOTED_TAIL_OCTETS) : Buffer.concat([this.recent, chunk]).subarray(-QUOTED_TAIL_OCTETS);
    if (this.buffer.length > Math.max(READ_AHEAD_OCTETS, this.needOctets)) this.socket.pause();
    this.notify();
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

  private attach(socket: net.Socket): void {
    socket.on("data", this.onData);
    socket.on("end", this.onEnd);
    socket.on("close", this.onEnd);
    socket.on("error", this.onError);
  }

  private detach(socket: net.Socket): void {
    socket.off("data", this.onData);
    socket.off("end", this.onEnd);
    socket.off("close", this.onEnd);
    socket.off("error", this.onError);
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private noteTls(socket: tls.TLSSocket): void {
    const cipher = socket.getCipher();
    this.transcript.record(this.name, "*", `TLS established: ${socket.getProtocol() ?? "?"} ${cipher?.name ?? ""}`.trimEnd());
  }

  /**
   * Wait for the next socket event (data, close, error). Resolves true on an
   * event, false when the deadline passed; rejects only when the run is aborted.
   */
  waitForEvent(deadline: Deadline): Promise<boolean> {
    const signal = this.options.signal;
    if (signal?.aborted) return Promise.reject(new TestAborted());
    if (this.peerEnded) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        resolve(false);
      }, deadline.remaining());
      const onAbort = (): void => {
        cleanup();
        reject(new TestAborted());
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.wake = null;
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.wake = () => {
        cleanup();
        resolve(true);
      };
    });
  }

  /** What the latest input looked like, for "actual:" in a failure. */
  describeUnread(): string {
    if (this.buffer.length === 0) return this.peerEnded ? "connection closed" : "nothing";
    const shown = printable(this.recent.subarray(-Math.min(this.buffer.length, QUOTED_TAIL_OCTETS)));
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
   * Take a unit off the buffer with `take` (a line, n bytes, an IMAP response),
   * waiting for more input until the deadline. Read-limit errors become
   * protocol violations: a peer that exceeds them cannot be read further.
   */
  async pull<T>(take: () => T | null, deadline: Deadline, what: string, needOctets = (): number => 0): Promise<T> {
    for (;;) {
      let value: T | null;
      try {
        value = take();
      } catch (error) {
        if (error instanceof LineTooLongError) {
          throw new StepFailure("protocol-violation", `line longer than ${error.limit} octets while reading ${what}`, undefined, this.describeUnread());
        }
        if (error instanceof ImapLimitError) {
          throw new StepFailure("protocol-violation", `${error.message} while reading ${what}`, undefined, this.describeUnread());
        }
        throw error;
      }
      this.needOctets = needOctets();
      if (this.socket.isPaused() && this.buffer.length <= Math.max(READ_AHEAD_OCTETS, this.needOctets)) this.socket.resume();
      if (value !== null) return value;
      if (this.peerEnded) throw this.closedFailure(what);
      if (!(await this.waitForEvent(deadline))) throw this.timeoutFailure(deadline, what);
    }
  }

  /**
   * One CRLF-terminated line, recorded in the transcript. A bare LF ending is a
   * protocol violation (every mail protocol mandates CRLF; lenient parsing of it
   * is what SMTP smuggling exploits).
   */
  async readLine(deadline: Deadline, what: string): Promise<Buffer> {
    const line = await this.pull(() => this.buffer.nextLine(), deadline, what);
    if (line.ending !== "crlf") {
      this.transcript.record(this.name, "S", Buffer.concat([line.bytes, Buffer.from("\n")]));
      throw new StepFailure("protocol-violation", `line ended by a bare LF instead of CRLF while reading ${what}`, "lines ended by CRLF", printable(line.bytes, 200));
    }
    this.transcript.record(this.name, "S", line.bytes);
    return line.bytes;
  }

  /**
   * Send bytes. `shown` replaces the transcript text (redacted SASL payloads);
   * otherwise the bytes are recorded line by line with passwords redacted.
   */
  write(bytes: Buffer, shown?: string[]): void {
    if (this.socket.destroyed || this.closedByUs) {
      throw new StepFailure("connection", "connection is closed: cannot send", undefined, this.peerEnded ? "connection closed by server" : "connection closed");
    }
    if (shown) for (const text of shown) this.transcript.record(this.name, "C", text);
    else this.transcript.recordSent(this.name, bytes);
    this.socket.write(bytes);
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
    const raw = this.socket;
    this.detach(raw);
    raw.resume();
    const secure = await handshake(raw, this.options.host, this.options.insecure, deadline, this.options.signal);
    this.socket = secure;
    this.attach(secure);
    this.noteTls(secure);
  }

  /** Client-side close: FIN now; the socket is destroyed by destroy() at test end at the latest. */
  close(): void {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.transcript.record(this.name, "*", "connection closed by client");
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Tear down, recording whatever arrived but was never read. */
  destroy(): void {
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
    const data = this.buffer.drain();
    const shown = data.subarray(0, 64 * 1024);
    for (const line of shown.toString("latin1").split("\r\n")) {
      if (line.length > 0) this.transcript.record(this.name, "S", Buffer.from(line, "latin1"));
    }
    this.transcript.record(this.name, "*", `${octets} octets received but not read by any step`);
  }
}

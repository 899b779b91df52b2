// The raw CRLF line client of everything that talks to a server outside a
// suite run (stress, soak, bench, the project's tests): connect (plain or
// implicit TLS), send, read lines or any unit a reader takes off the buffer,
// STARTTLS upgrade, close. Every wait runs under a Deadline and input is
// bounded, so a silent or flooding server is an error, never a hang.
// Reply shapes sit on top: line-replies.ts (SMTP, POP3), imap-line-client.ts.
// Standards: RFC 5321 §2.3.8 (CRLF), RFC 3207 §4 / RFC 2595 §4 (nothing in clear after the go-ahead), RFC 8314 (implicit TLS).

import net from "node:net";
import tls from "node:tls";
import { Deadline } from "../../wire/deadline.ts";
import { LineBuffer } from "../../wire/lines.ts";

export interface LineEndpoint {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Implicit TLS from the first octet (RFC 8314). */
  tls?: boolean;
  /** Accept any certificate (development certificates), here and on STARTTLS. */
  insecure?: boolean;
  /** PEM certificates trusted instead of the system's (a target's tls-ca), here and on STARTTLS. */
  ca?: Buffer;
}

export interface LineClientOptions {
  /** Bound of the connect (with its handshake) and the default of every read. Default 5000. */
  timeoutMs?: number;
  /** Longest line accepted (RFC 5321 §4.5.3.1.5 needs 512; IMAP FETCH lines run longer). Default 1 MiB. */
  maxLineOctets?: number;
}

/** The peer closed the connection (or it failed) while a read was waiting. */
export class ConnectionClosed extends Error {}

/** A multi-line read grew past MAX_READ_OCTETS: a server that never ends its reply. */
export class ReadTooLong extends Error {}

export const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_LINE_OCTETS = 1 << 20;
/** Octets read ahead while nobody reads; past this the socket pauses and TCP backpressure holds the peer. */
const READ_AHEAD_OCTETS = 1 << 20;
/** Largest result of one readUntil (a POP3 body, a long multi-line reply): larger is a runaway server. */
const MAX_READ_OCTETS = 64 * 1024 * 1024;

/** Open a socket to `endpoint` within `timeoutMs` (TCP, and the TLS handshake for implicit TLS). */
export function openSocket(endpoint: LineEndpoint, timeoutMs: number): Promise<net.Socket> {
  const host = endpoint.host ?? "127.0.0.1";
  const socket = endpoint.tls
    ? tls.connect({ host, port: endpoint.port, rejectUnauthorized: !endpoint.insecure, ...trust(endpoint), ...serverName(host) })
    : net.connect({ host, port: endpoint.port });
  const ready = new Promise<net.Socket>((resolve, reject) => {
    socket.once(endpoint.tls ? "secureConnect" : "connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
  return new Deadline(timeoutMs).race(ready, `a connection to ${host}:${endpoint.port}`).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
}

function trust(endpoint: LineEndpoint): { ca?: Buffer } {
  return endpoint.ca !== undefined ? { ca: endpoint.ca } : {};
}

/** SNI carries host names only (RFC 6066 §3), never an address literal. */
function serverName(host: string): { servername?: string } {
  return net.isIP(host) ? {} : { servername: host };
}

export class LineClient {
  /** The client's and the server's port of this connection: the server's session can be found by them. */
  readonly localPort: number;
  readonly remotePort: number;
  protected readonly timeoutMs: number;
  private readonly input: LineBuffer;
  private waiters: (() => void)[] = [];
  private ended = false;

  protected constructor(
    private socket: net.Socket,
    private readonly endpoint: LineEndpoint,
    options: LineClientOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.input = new LineBuffer({ maxLineOctets: options.maxLineOctets ?? DEFAULT_MAX_LINE_OCTETS });
    this.localPort = socket.localPort ?? 0;
    this.remotePort = socket.remotePort ?? endpoint.port;
    this.attach(socket);
  }

  static async connect(endpoint: LineEndpoint, options: LineClientOptions = {}): Promise<LineClient> {
    return new LineClient(await openSocket(endpoint, options.timeoutMs ?? DEFAULT_TIMEOUT_MS), endpoint, options);
  }

  /** The server closed the connection (or it failed); what is buffered can still be read. */
  get isEnded(): boolean {
    return this.ended;
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  /** Strings go out as UTF-8. Resolves once the bytes are handed to the kernel (or the socket failed: the next read says so). */
  send(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** The next line as latin1 text, without its line end. */
  async readLine(timeoutMs = this.timeoutMs): Promise<string> {
    return (await this.readLineBytes(timeoutMs)).toString("latin1");
  }

  async readLineBytes(timeoutMs = this.timeoutMs): Promise<Buffer> {
    return this.take((input) => input.nextLine()?.bytes ?? null, "a line", new Deadline(timeoutMs));
  }

  /** Lines up to and including the first for which `isLast` holds, all within one deadline. */
  async readUntil(isLast: (line: string) => boolean, timeoutMs = this.timeoutMs): Promise<string[]> {
    const deadline = new Deadline(timeoutMs);
    const lines: string[] = [];
    let octets = 0;
    for (;;) {
      const line = (await this.take((input) => input.nextLine()?.bytes ?? null, "a line", deadline)).toString("latin1");
      lines.push(line);
      if (isLast(line)) return lines;
      octets += line.length + 2;
      if (octets > MAX_READ_OCTETS) throw new ReadTooLong(`no end after ${MAX_READ_OCTETS} octets`);
    }
  }

  /**
   * The next unit `from` takes off the input (an IMAP response, a counted
   * byte run), waiting for more bytes until it does; `what` names it in the timeout error.
   */
  async read<T>(from: (input: LineBuffer) => T | null, what: string, timeoutMs = this.timeoutMs): Promise<T> {
    return this.take(from, what, new Deadline(timeoutMs));
  }

  /**
   * Upgrade to TLS after the server's go-ahead. Plaintext the server sent
   * after the go-ahead would be read as if it came through TLS: refused.
   */
  async startTls(timeoutMs = this.timeoutMs): Promise<void> {
    if (this.input.length > 0) throw new Error(`${this.input.length} octets in clear after the TLS go-ahead`);
    const plain = this.socket;
    for (const event of ["data", "end", "close"]) plain.removeAllListeners(event);
    const host = this.endpoint.host ?? "127.0.0.1";
    const secure = tls.connect({ socket: plain, rejectUnauthorized: !this.endpoint.insecure, ...trust(this.endpoint), ...serverName(host) });
    const ready = new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => {
        secure.off("error", reject);
        resolve();
      });
      secure.once("error", reject);
    });
    try {
      await new Deadline(timeoutMs).race(ready, "the TLS handshake");
    } catch (error) {
      secure.destroy();
      throw error;
    }
    this.socket = secure;
    this.attach(secure);
  }

  /** Resolves once the server has closed the connection; input arriving meanwhile stays buffered. */
  async closed(timeoutMs = this.timeoutMs): Promise<void> {
    const deadline = new Deadline(timeoutMs);
    while (!this.ended) await this.more(deadline, "the server to close the connection");
  }

  /** Close at once, without waiting for the peer. */
  close(): void {
    this.socket.destroy();
  }

  private async take<T>(from: (input: LineBuffer) => T | null, what: string, deadline: Deadline): Promise<T> {
    for (;;) {
      const unit = from(this.input);
      if (unit !== null) return unit;
      if (this.ended) throw new ConnectionClosed(`connection closed while waiting for ${what}`);
      await this.more(deadline, what);
    }
  }

  /** Wait for the next input or the close; a reader that waits lifts the read-ahead pause. */
  private more(deadline: Deadline, what: string): Promise<void> {
    if (this.socket.isPaused()) this.socket.resume();
    return deadline.race(new Promise<void>((resolve) => this.waiters.push(resolve)), what);
  }

  private attach(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.input.push(chunk);
      if (this.waiters.length === 0 && this.input.length > READ_AHEAD_OCTETS) socket.pause();
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

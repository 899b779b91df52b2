// A raw test client over real sockets: send bytes, read lines, SMTP replies
// and POP3 responses, upgrade to TLS — every read bounded by a timeout so a
// silent server fails the test instead of hanging it.
// Standards: RFC 5321 §4.2 (multiline replies), RFC 1939 §3, RFC 3207.

import * as net from "node:net";
import * as tls from "node:tls";
import { LineBuffer } from "../../../wire/lines.ts";
import { unstuffLine } from "../../../wire/dot-stuffing.ts";

const READ_TIMEOUT_MS = 5000;

export interface SmtpReply {
  code: number;
  lines: string[];
  /** Text of the last line after the code and separator. */
  text: string;
}

export class WireClient {
  private buffer = new LineBuffer({ maxLineOctets: 1 << 20 });
  private waiters: (() => void)[] = [];
  private ended = false;
  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  static async connect(port: number, options: { tls?: boolean; host?: string } = {}): Promise<WireClient> {
    const host = options.host ?? "127.0.0.1";
    const socket = options.tls
      ? tls.connect({ port, host, rejectUnauthorized: false })
      : net.connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    return new WireClient(socket);
  }

  get isTls(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  async line(timeoutMs = READ_TIMEOUT_MS): Promise<string> {
    return (await this.rawLine(timeoutMs)).toString("latin1");
  }

  async rawLine(timeoutMs = READ_TIMEOUT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.buffer.nextLine();
      if (line) return line.bytes;
      if (this.ended) throw new Error("connection closed while waiting for a line");
      await this.wait(deadline);
    }
  }

  /** One SMTP reply, multiline joined. */
  async reply(timeoutMs = READ_TIMEOUT_MS): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      lines.push(line);
      if (!/^\d{3}[ -]/.test(line) && !/^\d{3}$/.test(line)) throw new Error(`not an SMTP reply line: ${JSON.stringify(line)}`);
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), lines, text: line.slice(4) };
    }
  }

  /** Send a command line and read its SMTP reply. */
  async command(line: string): Promise<SmtpReply> {
    this.send(line + "\r\n");
    return this.reply();
  }

  /** Send a POP3 command and read the status line. */
  async pop(line: string): Promise<string> {
    this.send(line + "\r\n");
    return this.line();
  }

  /** A POP3 multiline body after a +OK, dot-stuffing removed, CRLF-joined. */
  async multiline(): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const line = unstuffLine(await this.rawLine());
      if (line === "end") return Buffer.concat(parts);
      parts.push(line, Buffer.from("\r\n"));
    }
  }

  /** Resolves true once the server closed the connection. */
  async closed(timeoutMs = READ_TIMEOUT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.wait(deadline);
    return true;
  }

  /** Whether nothing more arrives within `ms` (used to prove an injected command got no reply). */
  async silentFor(ms: number): Promise<boolean> {
    try {
      await this.wait(Date.now() + ms);
    } catch {
      return this.buffer.length === 0;
    }
    return this.buffer.length === 0;
  }

  async startTls(): Promise<void> {
    const plain = this.socket as net.Socket;
    plain.removeAllListeners("data");
    plain.removeAllListeners("end");
    plain.removeAllListeners("close");
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
      setTimeout(() => reject(new Error("TLS handshake timed out")), READ_TIMEOUT_MS);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on("data", (chunk: Buffer) => {
      this.buffer.push(chunk);
      this.notify();
    });
    socket.on("end", () => {
      this.ended = true;
      this.notify();
    });
    socket.on("close", () => {
      this.ended = true;
      this.notify();
    });
    socket.on("error", () => {
      this.ended = true;
      this.notify();
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private wait(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ms = deadline - Date.now();
      if (ms <= 0) return reject(new Error("timed out waiting for the server"));
      const timer = setTimeout(() => reject(new Error("timed out waiting for the server")), ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

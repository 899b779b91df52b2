// A raw IMAP test client over real sockets: sends tagged commands (literals
// with or without waiting for "+"), and reads whole responses — lines plus
// the literals they announce — with a timeout on every wait.
// Standards: RFC 3501 §2.2 (tags), §4.3 (literals), §7 (responses).

import * as net from "node:net";
import * as tls from "node:tls";
import { LineBuffer } from "../../../../wire/lines.ts";
import { ImapResponseAssembler } from "../../../../wire/imap-tokens.ts";

const READ_TIMEOUT_MS = 5000;

export interface Reply {
  /** The tagged status line, e.g. "a1 OK [READ-WRITE] done". */
  tagged: string;
  status: "OK" | "NO" | "BAD";
  /** Untagged responses as text (literal octets inline, latin1). */
  untagged: string[];
}

export class ImapClient {
  private buffer = new LineBuffer({ maxLineOctets: 1 << 22 });
  private assembler = new ImapResponseAssembler({ maxLineOctets: 1 << 22, maxLiteralOctets: 1 << 26, maxResponseOctets: 1 << 27 });
  private waiters: (() => void)[] = [];
  private ended = false;
  private counter = 0;
  greeting = "";

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  static async connect(port: number, options: { tls?: boolean } = {}): Promise<ImapClient> {
    const socket = options.tls ? tls.connect({ port, host: "127.0.0.1", rejectUnauthorized: false }) : net.connect({ port, host: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? "secureConnect" : "connect", () => resolve());
      socket.once("error", reject);
    });
    const client = new ImapClient(socket);
    client.greeting = await client.response();
    return client;
  }

  /** Log in as alice (or another user) and return the client. */
  static async loggedIn(port: number, user = "alice", password = `${user}-pw`): Promise<ImapClient> {
    const c = await ImapClient.connect(port);
    const r = await c.run(`LOGIN ${user} ${password}`);
    if (r.status !== "OK") throw new Error(`login failed: ${r.tagged}`);
    return c;
  }

  nextTag(): string {
    return `t${++this.counter}`;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** One whole response as text. */
  async response(timeoutMs = READ_TIMEOUT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.assembler.next(this.buffer);
      if (r) return r.toString("latin1");
      if (this.ended) throw new Error("connection closed while waiting for a response");
      await this.wait(deadline);
    }
  }

  /** Read until the tagged response for `tag`. */
  async until(tag: string, timeoutMs = READ_TIMEOUT_MS): Promise<Reply> {
    const untagged: string[] = [];
    for (;;) {
      const line = await this.response(timeoutMs);
      if (line.startsWith(tag + " ")) {
        const status = line.slice(tag.length + 1).split(" ", 1)[0] as Reply["status"];
        return { tagged: line, status, untagged };
      }
      untagged.push(line);
    }
  }

  /** Send "tag text" and read its reply. */
  async run(text: string | Buffer, timeoutMs?: number): Promise<Reply> {
    const tag = this.nextTag();
    this.send(Buffer.concat([Buffer.from(`${tag} `), Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8"), Buffer.from("\r\n")]));
    return this.until(tag, timeoutMs);
  }

  /** A command ending in a synchronizing literal: waits for "+", then sends it. */
  async runWithLiteral(prefix: string, literal: Buffer | string, suffix = ""): Promise<Reply> {
    const tag = this.nextTag();
    const data = Buffer.isBuffer(literal) ? literal : Buffer.from(literal);
    this.send(`${tag} ${prefix}{${data.length}}\r\n`);
    const go = await this.response();
    if (!go.startsWith("+")) throw new Error(`expected a continuation, got ${go}`);
    this.send(Buffer.concat([data, Buffer.from(suffix + "\r\n")]));
    return this.until(tag);
  }

  async closed(timeoutMs = READ_TIMEOUT_MS): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.wait(deadline);
    return true;
  }

  /** True if nothing arrives within `ms`. */
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
      const timer = setTimeout(() => reject(new Error("TLS handshake timed out")), READ_TIMEOUT_MS);
      secure.once("secureConnect", () => {
        clearTimeout(timer);
        resolve();
      });
      secure.once("error", reject);
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
    for (const event of ["end", "close", "error"]) {
      socket.on(event, () => {
        this.ended = true;
        this.notify();
      });
    }
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

// The soak's own client over a real socket: send bytes, read lines, SMTP
// replies, POP3 status lines and multiline bodies, and whole IMAP responses
// (with the literals they announce) — every read bounded by a deadline, so a
// server that stops answering shows up as an error, never as a hang. Kept
// small and allocation-light: the load run holds a thousand of these.
// Standards: RFC 5321 §4.2 (reply syntax), RFC 1939 §3 (status, multiline), RFC 3501 §7 (responses).

import * as net from "node:net";
import { LineBuffer } from "../../wire/lines.ts";
import { ImapResponseAssembler } from "../../wire/imap-tokens.ts";

export class ServerSilent extends Error {}
export class ServerClosed extends Error {}

/** "250-..." / "250 ..." / "250": one line of an SMTP reply (RFC 5321 §4.2). */
const SMTP_REPLY_LINE = /^[2-5][0-9]{2}(?:[ -]|$)/;

export interface SmtpReply {
  code: number;
  lines: string[];
}

export class LineClient {
  private readonly buffer = new LineBuffer({ maxLineOctets: 1 << 20 });
  private assembler: ImapResponseAssembler | null = null;
  private wake: (() => void) | null = null;
  private ended = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer.push(chunk);
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on("end", end);
    socket.on("close", end);
    socket.on("error", end);
  }

  static connect(port: number, host = "127.0.0.1", timeoutMs = 10_000): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ServerSilent(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new LineClient(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get isEnded(): boolean {
    return this.ended;
  }

  send(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  async line(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.buffer.nextLine();
      if (line) return line.bytes.toString("latin1");
      await this.wait(deadline);
    }
  }

  /** One SMTP reply; throws if a line is not reply syntax or the codes of a multiline reply differ. */
  async smtpReply(timeoutMs: number): Promise<SmtpReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      if (!SMTP_REPLY_LINE.test(line)) throw new Error(`not an SMTP reply line: ${JSON.stringify(line.slice(0, 200))}`);
      if (lines.length > 0 && line.slice(0, 3) !== lines[0]!.slice(0, 3)) throw new Error(`reply code changed inside a multiline reply: ${JSON.stringify(lines)}`);
      lines.push(line);
      if (line[3] !== "-") return { code: Number(line.slice(0, 3)), lines };
    }
  }

  /** A POP3 status line: "+OK", "-ERR" (RFC 1939 §3), or a "+ " SASL continuation. */
  async popStatus(timeoutMs: number): Promise<string> {
    const line = await this.line(timeoutMs);
    if (!/^(\+OK|-ERR)(?: |$)/.test(line) && !/^\+ /.test(line)) throw new Error(`not a POP3 status line: ${JSON.stringify(line.slice(0, 200))}`);
    return line;
  }

  /** The body of a POP3 multiline response up to the lone "."; returns its line count. */
  async popMultiline(timeoutMs: number): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      if (line === ".") return lines;
      lines.push(line.startsWith(".") ? line.slice(1) : line);
    }
  }

  /** One whole IMAP response (lines and literals), latin1. */
  async imapResponse(timeoutMs: number): Promise<string> {
    this.assembler ??= new ImapResponseAssembler({ maxLineOctets: 1 << 20, maxLiteralOctets: 1 << 26, maxResponseOctets: 1 << 27 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = this.assembler.next(this.buffer);
      if (response) return response.toString("latin1");
      await this.wait(deadline);
    }
  }

  /** Responses up to the tagged one for `tag`; every other must be untagged or a continuation. */
  async imapUntil(tag: string, timeoutMs: number): Promise<{ tagged: string; untagged: string[] }> {
    const untagged: string[] = [];
    for (;;) {
      const response = await this.imapResponse(timeoutMs);
      if (response.startsWith(tag + " ")) {
        if (!/^\S+ (OK|NO|BAD)(?: |$)/.test(response)) throw new Error(`malformed tagged response: ${JSON.stringify(response.slice(0, 200))}`);
        return { tagged: response, untagged };
      }
      if (!response.startsWith("* ") && !response.startsWith("+")) throw new Error(`response neither tagged ${tag}, untagged nor a continuation: ${JSON.stringify(response.slice(0, 200))}`);
      untagged.push(response);
    }
  }

  /** Resolves once the server closed the connection; throws if it stays open. */
  async closed(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.wait(deadline);
  }

  close(): void {
    this.socket.destroy();
  }

  private wait(deadline: number): Promise<void> {
    // Callers only wait after finding nothing complete: once ended, nothing more can come.
    if (this.ended) return Promise.reject(new ServerClosed("connection closed by the server"));
    return new Promise((resolve, reject) => {
      const ms = deadline - Date.now();
      const timer = setTimeout(() => {
        this.wake = null;
        reject(this.ended ? new ServerClosed("connection closed by the server") : new ServerSilent(`no answer within the time bound`));
      }, Math.max(0, ms));
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}

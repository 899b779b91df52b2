// The stress client's connection: a plain socket, a LineBuffer, and reads
// that wait with a deadline — nothing of the suite runner's per-step
// machinery (events, transcripts, matchers), so the load it makes is the
// server's cost, not ours. Reply readers per protocol sit on top of it.
// Standards: RFC 5321 §4.2 (reply lines), RFC 1939 §3 (status, multiline), RFC 3501 §7 (responses).

import net from "node:net";
import tls from "node:tls";
import { LineBuffer, LineTooLongError } from "../../wire/lines.ts";
import { ImapResponseAssembler, type ImapReadLimits } from "../../wire/imap-tokens.ts";

// RFC 5321 §4.5.3.1.5 allows 512-octet reply lines; IMAP FETCH lines run longer. Bounds a babbling server.
const MAX_LINE_OCTETS = 64 * 1024;
// A RETR or FETCH of the stress mailbox is small; anything far larger is a server gone wrong.
const IMAP_LIMITS: ImapReadLimits = { maxLineOctets: MAX_LINE_OCTETS, maxLiteralOctets: 64 * 1024 * 1024, maxResponseOctets: 64 * 1024 * 1024 };

/** The server answered something other than what the command must get: counted as an error. */
export class WrongReply extends Error {}

/** No (complete) reply within the command's timeout. */
export class ReplyTimeout extends Error {}

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  insecure: boolean;
}

export class WireClient {
  private readonly input = new LineBuffer({ maxLineOctets: MAX_LINE_OCTETS });
  private wake: (() => void) | null = null;
  private ended = false;
  private assembler: ImapResponseAssembler | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      this.input.push(chunk);
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

  static connect(endpoint: Endpoint, timeoutMs: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = endpoint.tls
        ? tls.connect({ host: endpoint.host, port: endpoint.port, rejectUnauthorized: !endpoint.insecure })
        : net.connect(endpoint.port, endpoint.host);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ReplyTimeout(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once(endpoint.tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new WireClient(socket));
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Close without waiting for the peer (the session is over or abandoned). */
  destroy(): void {
    this.socket.destroy();
  }

  /** The next line as latin1 text (no line end). */
  async line(timeoutMs: number): Promise<string> {
    for (;;) {
      let line;
      try {
        line = this.input.nextLine();
      } catch (error) {
        if (error instanceof LineTooLongError) throw new WrongReply(error.message);
        throw error;
      }
      if (line) return line.bytes.toString("latin1");
      await this.waitForInput(timeoutMs);
    }
  }

  /** One IMAP response (lines and the literals they announce), without the final CRLF. */
  async imapResponse(timeoutMs: number): Promise<Buffer> {
    this.assembler ??= new ImapResponseAssembler(IMAP_LIMITS);
    for (;;) {
      const response = this.assembler.next(this.input);
      if (response) return response;
      await this.waitForInput(timeoutMs);
    }
  }

  /** SMTP reply: all lines of a (multiline) reply; checks the code. RFC 5321 §4.2: "250-" continues, "250 " ends. */
  async smtpReply(expected: number, timeoutMs: number): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      lines.push(line);
      if (line.length < 3 || !/^\d{3}$/.test(line.slice(0, 3))) throw new WrongReply(`not an SMTP reply: ${quote(line)}`);
      if (line.length === 3 || line[3] === " ") break;
      if (line[3] !== "-") throw new WrongReply(`not an SMTP reply: ${quote(line)}`);
    }
    const last = lines[lines.length - 1]!;
    if (Number(last.slice(0, 3)) !== expected) throw new WrongReply(`expected ${expected}, got ${quote(last)}`);
    return lines;
  }

  /** POP3 status line: must be +OK (RFC 1939 §3). */
  async pop3Ok(timeoutMs: number): Promise<string> {
    const line = await this.line(timeoutMs);
    if (!line.startsWith("+OK")) throw new WrongReply(`expected +OK, got ${quote(line)}`);
    return line;
  }

  /** A POP3 multiline body after its +OK: octets of the un-stuffed body, up to the lone ".". */
  async pop3Body(timeoutMs: number): Promise<{ octets: number; text: string }> {
    let octets = 0;
    const head: string[] = [];
    for (;;) {
      const line = await this.line(timeoutMs);
      if (line === ".") return { octets, text: head.join("\r\n") };
      const content = line.startsWith(".") ? line.slice(1) : line;
      octets += content.length + 2;
      if (head.length < 256) head.push(content);
    }
  }

  private waitForInput(timeoutMs: number): Promise<void> {
    if (this.ended) return Promise.reject(new WrongReply("connection closed by the server"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new ReplyTimeout(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }
}

export function quote(line: string): string {
  return JSON.stringify(line.length > 120 ? line.slice(0, 120) + "…" : line);
}

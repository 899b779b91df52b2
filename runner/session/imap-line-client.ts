// The IMAP side of a LineClient: whole responses (lines plus the literals they
// announce), tags, reading to a command's tagged completion, and a command
// that ends in a synchronizing literal sent only after the server's "+".
// Syntax only: whether a completion is OK is the caller's check.
// Standards: RFC 3501 §2.2.1 (tags), §4.3 (literals), §7 (responses), §7.5 (continuation).

import type net from "node:net";
import { ImapResponseAssembler, type ImapReadLimits } from "../../wire/imap-tokens.ts";
import { DEFAULT_TIMEOUT_MS, LineClient, openSocket, type LineClientOptions, type LineEndpoint } from "./line-client.ts";
import { ReplySyntaxError, showReply } from "./line-replies.ts";

export interface ImapClientOptions extends LineClientOptions {
  /** Largest literal and whole response accepted. Default 64 MiB and 128 MiB. */
  maxLiteralOctets?: number;
  maxResponseOctets?: number;
}

export interface ImapCompletion {
  /** The tagged status line, e.g. "a1 OK [READ-WRITE] done". */
  tagged: string;
  status: "OK" | "NO" | "BAD";
  /** Untagged responses and continuations before it, in wire form (literal octets inline, latin1). */
  untagged: string[];
}

const TAGGED_STATUS = /^\S+ (OK|NO|BAD)(?: |$)/i;
const CRLF = Buffer.from("\r\n");

export class ImapLineClient extends LineClient {
  /** The server's greeting, read by connect(). */
  greeting = "";
  private readonly assembler: ImapResponseAssembler;
  private tags = 0;

  protected constructor(socket: net.Socket, endpoint: LineEndpoint, options: ImapClientOptions) {
    super(socket, endpoint, options);
    const limits: ImapReadLimits = {
      maxLineOctets: options.maxLineOctets ?? 1 << 20,
      maxLiteralOctets: options.maxLiteralOctets ?? 1 << 26,
      maxResponseOctets: options.maxResponseOctets ?? 1 << 27,
    };
    this.assembler = new ImapResponseAssembler(limits);
  }

  /** Connect and read the greeting (RFC 3501 §7.1: "* OK", "* PREAUTH" or "* BYE"). */
  static override async connect(endpoint: LineEndpoint, options: ImapClientOptions = {}): Promise<ImapLineClient> {
    const client = new ImapLineClient(await openSocket(endpoint, options.timeoutMs ?? DEFAULT_TIMEOUT_MS), endpoint, options);
    try {
      client.greeting = await client.response();
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  }

  nextTag(): string {
    return `t${++this.tags}`;
  }

  /** One whole response without its final CRLF, as bytes. */
  responseBytes(timeoutMs = this.timeoutMs): Promise<Buffer> {
    return this.read((input) => this.assembler.next(input), "an IMAP response", timeoutMs);
  }

  /** One whole response as latin1 text. */
  async response(timeoutMs = this.timeoutMs): Promise<string> {
    return (await this.responseBytes(timeoutMs)).toString("latin1");
  }

  /**
   * Responses up to the tagged completion of `tag`. Before it only untagged
   * responses and continuations may come: another tag's completion means the
   * server answered a command the caller did not wait for (or never sent).
   */
  async until(tag: string, timeoutMs = this.timeoutMs): Promise<ImapCompletion> {
    const untagged: string[] = [];
    for (;;) {
      const response = await this.response(timeoutMs);
      if (response.startsWith(tag + " ")) return completion(response, untagged);
      if (!response.startsWith("* ") && !response.startsWith("+")) throw new ReplySyntaxError(`expected untagged responses up to ${tag}'s completion, got ${showReply(response)}`);
      untagged.push(response);
    }
  }

  /**
   * Send "tag text" and read to its completion. With a literal, " {n}" ends
   * the line and the literal follows the server's "+" (untagged data may
   * come first); a completion before the "+" is the server's refusal.
   */
  async run(text: string | Buffer, literal?: string | Buffer, timeoutMs = this.timeoutMs): Promise<ImapCompletion> {
    const tag = this.nextTag();
    const command = Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8");
    if (literal === undefined) {
      void this.send(Buffer.concat([Buffer.from(`${tag} `), command, CRLF]));
      return this.until(tag, timeoutMs);
    }
    const data = Buffer.isBuffer(literal) ? literal : Buffer.from(literal, "utf8");
    void this.send(Buffer.concat([Buffer.from(`${tag} `), command, Buffer.from(` {${data.length}}\r\n`)]));
    const before: string[] = [];
    for (;;) {
      const response = await this.response(timeoutMs);
      if (response.startsWith("+")) break;
      if (response.startsWith(tag + " ")) {
        const refused = completion(response, before);
        if (refused.status === "OK") throw new ReplySyntaxError(`${tag} completed OK before its literal was asked for`);
        return refused;
      }
      if (!response.startsWith("* ")) throw new ReplySyntaxError(`expected "+" for ${tag}'s literal, got ${showReply(response)}`);
      before.push(response);
    }
    void this.send(Buffer.concat([data, CRLF]));
    const done = await this.until(tag, timeoutMs);
    return { ...done, untagged: [...before, ...done.untagged] };
  }
}

function completion(response: string, untagged: string[]): ImapCompletion {
  const status = TAGGED_STATUS.exec(response)?.[1]?.toUpperCase();
  if (status === undefined) throw new ReplySyntaxError(`malformed tagged response: ${showReply(response)}`);
  return { tagged: response, status: status as ImapCompletion["status"], untagged };
}

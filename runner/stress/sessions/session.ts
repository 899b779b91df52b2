// What every stress session shares: the context it runs in, the timing of
// one command (a thrown WrongReply or timeout is that command's error and
// ends the session), and the messages it sends.
// Standards: RFC 5322 §3.6 (the header fields a test message needs).

import type { LineClient, LineEndpoint } from "../../session/line-client.ts";
import type { LatencyBook } from "../latency.ts";

export interface StressUser {
  login: string;
  password: string;
  address: string;
}

export interface SessionContext {
  endpoint: LineEndpoint;
  /** Who logs in (POP3, IMAP) or receives (SMTP). */
  user: StressUser;
  /** The envelope sender of SMTP sessions. */
  sender: string;
  timeoutMs: number;
  random: () => number;
  /** Messages every mailbox holds from the preparation: sequence numbers 1..seedMessages are stable. */
  seedMessages: number;
  /** Octets of each message sent (SMTP) or appended (IMAP). */
  messageOctets: number;
  /** Unique per message sent: goes into Message-ID. */
  nextMessageId(): string;
  /** IMAP commands between LOGIN and LOGOUT of a long session (imapLongSession); 0: the short session. */
  imapCommandsPerSession: number;
  book: LatencyBook;
}

/** A session ended by a failed command; the failure is already counted. */
export class SessionAborted extends Error {}

/** Run one command, record its latency (or its error) under `command`; an error aborts the session. */
export async function timed<T>(ctx: SessionContext, protocol: string, command: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let value: T;
  try {
    value = await fn();
  } catch (error) {
    ctx.book.error(protocol, command, error instanceof Error ? error.message : String(error));
    throw new SessionAborted();
  }
  ctx.book.ok(protocol, command, performance.now() - started);
  return value;
}

/** Connect and read the greeting, timed together as "connect". */
export async function connectTimed<C extends LineClient>(
  ctx: SessionContext,
  protocol: string,
  connect: (endpoint: LineEndpoint, timeoutMs: number) => Promise<C>,
  greeting: (client: C) => Promise<unknown>,
): Promise<C> {
  return timed(ctx, protocol, "connect", async () => {
    const client = await connect(ctx.endpoint, ctx.timeoutMs);
    try {
      await greeting(client);
    } catch (error) {
      client.close();
      throw error;
    }
    return client;
  });
}

/** The subject of the messages the preparation puts into a mailbox that holds too few. */
export const SEED_SUBJECT = "stress seed";

/**
 * Whether a retrieved message looks like one (RFC 5322 §2.1: header fields,
 * an empty line, a body): the mailbox may hold any mail, so reads check the
 * shape, not the content.
 */
export function looksLikeMessage(text: string): boolean {
  return /^[!-9;-~]+:/.test(text) && /\r\n\r\n/.test(text + "\r\n");
}

/**
 * A message of about `octets` octets with CRLF line ends: headers, then
 * 76-character lines, one of them starting with "." so transparency
 * (RFC 5321 §4.5.2) is exercised on every transfer.
 */
export function stressMessage(octets: number, messageId: string, from: string, to: string, subject: string): Buffer {
  const head =
    `From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\nMessage-ID: <${messageId}>\r\n` +
    `Date: Thu, 01 Jan 2026 00:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  const lines: string[] = [".leading dot line"];
  let size = head.length + lines[0]!.length + 2;
  let i = 0;
  while (size < octets) {
    const line = `${String(i++).padStart(6, "0")} ${"abcdefghijklmnopqrstuvwxyz0123456789".repeat(2).slice(0, 69)}`;
    lines.push(line);
    size += line.length + 2;
  }
  return Buffer.from(head + lines.join("\r\n") + "\r\n", "latin1");
}

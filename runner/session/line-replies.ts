// SMTP and POP3 replies read off a LineClient: a whole SMTP reply, a POP3
// status line, a POP3 multi-line body with its byte-stuffing removed. Syntax
// only: what a reply must say is the caller's check (stress, soak, tests).
// IMAP responses need literals and tags: imap-line-client.ts.
// Standards: RFC 5321 §4.2 (reply lines), §4.5.2 (transparency); RFC 1939 §3 (status, multi-line), RFC 5034 §4 (SASL "+ ").

import { joinLines, unstuffLine } from "../../wire/dot-stuffing.ts";
import type { LineClient } from "./line-client.ts";

/** A reply that breaks the protocol's reply syntax. */
export class ReplySyntaxError extends Error {}

export interface SmtpReply {
  code: number;
  /** Every line as received, code included. */
  lines: string[];
  /** Text of the last line after the code and its separator. */
  text: string;
}

/** Reply-code SP / "-" text, or the bare code (RFC 5321 §4.2: Reply-line, Reply-code = %x32-35 %x30-35 %x30-39). */
const SMTP_REPLY_LINE = /^[2-5][0-5][0-9](?:[ -]|$)/;
/** "+OK" / "-ERR" with optional text, or a SASL continuation "+ " (RFC 5034 §4). */
const POP3_STATUS_LINE = /^(?:\+OK|-ERR)(?: |$)|^\+ /;

/** A reply quoted for an error message, cut at 200 characters. */
export function showReply(line: string): string {
  return JSON.stringify(line.length > 200 ? line.slice(0, 200) + "…" : line);
}

/** One SMTP reply, all of its lines: "250-" continues, "250 " or "250" ends; every line carries the same code. */
export async function readSmtpReply(c: LineClient, timeoutMs?: number): Promise<SmtpReply> {
  const lines = await c.readUntil((line) => {
    if (!SMTP_REPLY_LINE.test(line)) throw new ReplySyntaxError(`not an SMTP reply line: ${showReply(line)}`);
    return line[3] !== "-";
  }, timeoutMs);
  const code = lines[0]!.slice(0, 3);
  if (lines.some((line) => !line.startsWith(code))) throw new ReplySyntaxError(`reply code changed inside a multiline reply: ${showReply(lines.join(" | "))}`);
  const last = lines[lines.length - 1]!;
  return { code: Number(code), lines, text: last.slice(4) };
}

/** Send one command line (CRLF added) and read its SMTP reply. */
export async function smtpCommand(c: LineClient, line: string, timeoutMs?: number): Promise<SmtpReply> {
  void c.send(line + "\r\n");
  return readSmtpReply(c, timeoutMs);
}

/** A POP3 status line: "+OK", "-ERR" or a SASL continuation. */
export async function readPop3Status(c: LineClient, timeoutMs?: number): Promise<string> {
  const line = await c.readLine(timeoutMs);
  if (!POP3_STATUS_LINE.test(line)) throw new ReplySyntaxError(`not a POP3 status line: ${showReply(line)}`);
  return line;
}

/** Send one command line (CRLF added) and read its status line. */
export async function pop3Command(c: LineClient, line: string, timeoutMs?: number): Promise<string> {
  void c.send(line + "\r\n");
  return readPop3Status(c, timeoutMs);
}

/** The body of a multi-line response after its "+OK", up to the lone ".": un-stuffed, CRLF line ends. */
export async function readPop3Body(c: LineClient, timeoutMs?: number): Promise<Buffer> {
  const lines = await c.readUntil((line) => line === ".", timeoutMs);
  lines.pop();
  return joinLines(lines.map((line) => unstuffLine(Buffer.from(line, "latin1")) as Buffer));
}

// The stress client's checks on top of the shared line client: every reply
// must be the one its command has to get, else a WrongReply, which the
// session counts as that command's error (sessions/session.ts). Nothing of
// the suite runner's per-step machinery, so the load measured is the server's.
// Standards: RFC 5321 §4.2 (reply codes), RFC 1939 §3 (+OK), RFC 3501 §7.1 (greeting, tagged OK).

import { ImapLineClient, type ImapCompletion } from "../session/imap-line-client.ts";
import { LineClient, type LineEndpoint } from "../session/line-client.ts";
import { readPop3Body, readPop3Status, readSmtpReply, showReply, type SmtpReply } from "../session/line-replies.ts";

/** The server answered something other than what the command must get: counted as an error. */
export class WrongReply extends Error {}

// RFC 5321 §4.5.3.1.5 allows 512-octet reply lines; IMAP FETCH lines run longer. Bounds a babbling server.
const MAX_LINE_OCTETS = 64 * 1024;
// A RETR or FETCH of the stress mailbox is small; anything far larger is a server gone wrong.
const MAX_RESPONSE_OCTETS = 64 * 1024 * 1024;

/** A plain line client with the stress bounds (SMTP, POP3). */
export function connectLines(endpoint: LineEndpoint, timeoutMs: number): Promise<LineClient> {
  return LineClient.connect(endpoint, { timeoutMs, maxLineOctets: MAX_LINE_OCTETS });
}

/** An IMAP client with the stress bounds; its greeting must be "* OK" (RFC 3501 §7.1.1). */
export async function connectImap(endpoint: LineEndpoint, timeoutMs: number): Promise<ImapLineClient> {
  const client = await ImapLineClient.connect(endpoint, { timeoutMs, maxLineOctets: MAX_LINE_OCTETS, maxLiteralOctets: MAX_RESPONSE_OCTETS, maxResponseOctets: MAX_RESPONSE_OCTETS });
  if (!/^\* OK\b/i.test(client.greeting)) {
    client.close();
    throw new WrongReply(`expected "* OK" greeting, got ${showReply(client.greeting)}`);
  }
  return client;
}

/** Send `line` (none for a greeting), read the SMTP reply, which must carry `code`. */
export async function expectSmtp(c: LineClient, line: string | Buffer | null, code: number, timeoutMs: number): Promise<SmtpReply> {
  if (line !== null) void c.send(typeof line === "string" ? line + "\r\n" : line);
  const reply = await readSmtpReply(c, timeoutMs);
  if (reply.code !== code) throw new WrongReply(`expected ${code}, got ${showReply(reply.lines[reply.lines.length - 1]!)}`);
  return reply;
}

/** Send `line` (none for a greeting), read the status line, which must be +OK. */
export async function expectPop3Ok(c: LineClient, line: string | null, timeoutMs: number): Promise<string> {
  if (line !== null) void c.send(line + "\r\n");
  const status = await readPop3Status(c, timeoutMs);
  if (!status.startsWith("+OK")) throw new WrongReply(`expected +OK, got ${showReply(status)}`);
  return status;
}

/** RETR's +OK and body: the body as latin1 text, without its last line end. */
export async function expectPop3Message(c: LineClient, line: string, timeoutMs: number): Promise<string> {
  await expectPop3Ok(c, line, timeoutMs);
  const text = (await readPop3Body(c, timeoutMs)).toString("latin1");
  return text.endsWith("\r\n") ? text.slice(0, -2) : text;
}

/** Run an IMAP command (with a literal after the "+" when given), which must complete OK. */
export async function expectImapOk(c: ImapLineClient, text: string, timeoutMs: number, literal?: Buffer): Promise<ImapCompletion> {
  const done = await c.run(text, literal, timeoutMs);
  if (done.status !== "OK") throw new WrongReply(`${verb(text)}: expected OK, got ${showReply(done.tagged)}`);
  return done;
}

const verb = (text: string) => text.split(" ", text.startsWith("UID ") ? 2 : 1).join(" ");

// IMAP's response forms: the tagged status line, untagged "* ..." data, the
// "+ " continuation, and Refusal (a NO with a response code). They need only
// a connection, so the mailbox view (mailbox/view.ts) announces updates with
// them without knowing the session; vocabulary.ts builds on them.
// Standards: RFC 3501 §7.1 (status responses), §7.5 (continuation), RFC 5530 (response codes).

import { ClientError } from "../core/errors.ts";
import type { SessionBase } from "../core/session.ts";

/**
 * A well-formed command the server will not carry out: tagged NO, with a
 * response code when RFC 5530 has one (NONEXISTENT, ALREADYEXISTS, TRYCREATE …).
 */
export class Refusal extends ClientError {
  constructor(
    readonly code: string | null,
    message: string,
  ) {
    super("rejected-content", message);
  }
}

/** A response text: one line, no CR/LF, never empty (resp-text needs text). */
export function clean(text: string): string {
  const line = text.replace(/[\r\n\0]/g, " ");
  return line === "" ? "done" : line.length > 400 ? line.slice(0, 400) : line;
}

export function statusLine(tag: string, status: string, code: string | null, text: string): string {
  return `${tag} ${status} ${code ? `[${code}] ` : ""}${clean(text)}\r\n`;
}

/** "* " + data + CRLF; the data may hold literals (Buffer). */
export function untagged(s: SessionBase, data: string | Buffer): void {
  if (typeof data === "string") s.conn.write(`* ${data}\r\n`);
  else s.conn.write(Buffer.concat([Buffer.from("* "), data, Buffer.from("\r\n")]));
}

export function continuation(s: SessionBase, text: string): void {
  s.conn.write(`+ ${clean(text)}\r\n`);
}

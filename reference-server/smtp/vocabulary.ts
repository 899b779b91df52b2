// SMTP's reply forms: "code SP enhanced-code SP text", multiline with
// "code-", and the mapping from each MailError to its code. Handlers write
// success replies through `reply`; failures arrive here from the driver.
// Standards: RFC 5321 §4.2 (replies), §4.2.4 (421), RFC 2034 §3 and RFC 3463
// (enhanced codes), RFC 4954 §6 (AUTH codes), RFC 1870 §6 (552), RFC 6531 §3.7.4 (553 5.6.7),
// RFC 5321 §4.2.3 and RFC 3463 §3.4 (452 4.3.1 for a full mail store).

import type { Command } from "../core/command-table.ts";
import { ClientError, Fatal, LimitExceeded, Overloaded, type ClientErrorReason, type LimitReason, type MailError } from "../core/errors.ts";
import type { Vocabulary } from "../core/session.ts";
import { diskFaultOf } from "../store/disk-faults.ts";
import type { SmtpSession } from "./states.ts";

// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets including CRLF.
const MAX_REPLY_TEXT_OCTETS = 480;

/** Format a reply; `enhanced` null for the greeting, EHLO/HELO and 3xx (RFC 2034 §3). */
export function formatReply(code: number, enhanced: string | null, text: string | readonly string[]): string {
  const lines = typeof text === "string" ? [text] : text;
  const prefix = enhanced ? ` ${enhanced} ` : " ";
  return lines
    .map((line, i) => `${code}${i === lines.length - 1 ? prefix : prefix.replace(/^ /, "-")}${clip(line)}\r\n`)
    .join("");
}

export function reply(s: SmtpSession, code: number, enhanced: string | null, text: string | readonly string[]): void {
  s.conn.write(formatReply(code, enhanced, text));
}

const CLIENT_ERRORS: Record<ClientErrorReason, [number, string]> = {
  syntax: [501, "5.5.4"],
  "unknown-command": [500, "5.5.1"],
  "bad-sequence": [503, "5.5.1"],
  "unsupported-parameter": [555, "5.5.4"],
  "not-implemented": [502, "5.5.1"],
  "tls-required": [530, "5.7.0"],
  "auth-required": [530, "5.7.0"],
  "sender-not-authorized": [550, "5.7.1"],
  "encryption-required": [538, "5.7.11"],
  "auth-mechanism": [504, "5.5.4"],
  "auth-failed": [535, "5.7.8"],
  "auth-cancelled": [501, "5.7.0"],
  "bad-address": [501, "5.1.3"],
  "non-ascii-address": [553, "5.6.7"],
  "no-such-user": [550, "5.1.1"],
  "relay-denied": [550, "5.7.1"],
  "rejected-content": [554, "5.6.0"],
  "no-such-message": [550, "5.5.0"],
  "in-use": [450, "4.2.1"],
  // POP3's (RFC 6856 §5); SMTP never raises it.
  "utf8-required": [550, "5.6.7"],
};

const LIMITS: Record<LimitReason, [number, string]> = {
  "command-line-too-long": [500, "5.5.2"],
  "text-line-too-long": [554, "5.6.0"],
  "message-too-big": [552, "5.3.4"],
  "too-many-recipients": [452, "4.5.3"],
  "too-many-errors": [421, "4.7.0"],
  // RFC 5321 §4.2.3 552 exceeded storage allocation; RFC 3463 X.2.2 mailbox full.
  "mailbox-full": [552, "5.2.2"],
};

// RFC 3463 §3.4: 4.3.2 "system not accepting network messages" for a server short of memory.
const FATAL = { timeout: "4.4.2", shutdown: "4.3.2", "too-many-errors": "4.7.0", internal: "4.3.0", "too-many-connections": "4.7.0", overloaded: "4.3.2" } as const;

export const smtpVocabulary: Vocabulary<SmtpSession> = {
  failure(s, error: MailError, command: Command | null): string {
    if (error instanceof Fatal) {
      return formatReply(421, FATAL[error.reason], `${s.context.config.hostname} ${error.message}, closing connection`);
    }
    if (error instanceof LimitExceeded) {
      // RFC 4954 §4: an over-long line inside an AUTH exchange is 500 5.5.6.
      if (error.limit === "command-line-too-long" && command?.verb === "AUTH") return formatReply(500, "5.5.6", "authentication exchange line too long");
      const [code, enhanced] = LIMITS[error.limit];
      return formatReply(code, enhanced, error.message);
    }
    if (error instanceof ClientError) {
      // A line that is not a command at all (empty, not letters) is a syntax error: 500 5.5.2.
      if (error.reason === "syntax" && command === null) return formatReply(500, "5.5.2", error.message);
      // RFC 4954 §4: undecodable base64 is 501 5.5.2.
      if (error.reason === "syntax" && command?.verb === "AUTH") return formatReply(501, "5.5.2", error.message);
      if (error.reason === "bad-address" && command?.verb === "MAIL") return formatReply(501, "5.1.7", error.message);
      const [code, enhanced] = CLIENT_ERRORS[error.reason];
      return formatReply(code, enhanced, error.message);
    }
    // RFC 5321 §4.2.3 452 insufficient system storage; RFC 3463 4.3.1 mail system full (disk or memory).
    if (error instanceof Overloaded || diskFaultOf(error.cause) === "full") return formatReply(452, "4.3.1", error.message);
    // TempFailure: RFC 5321 §4.2.3 451 local error in processing; RFC 3463 4.3.0.
    return formatReply(451, "4.3.0", error.message);
  },
};

function clip(text: string): string {
  const clean = text.replace(/[\r\n]/g, " ");
  return clean.length > MAX_REPLY_TEXT_OCTETS ? clean.slice(0, MAX_REPLY_TEXT_OCTETS) : clean;
}

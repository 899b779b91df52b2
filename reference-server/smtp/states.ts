// The SMTP session: what a connection has said so far (greeting, login,
// the open mail transaction) and the state names the command table uses,
// derived from it so they can never disagree.
// Standards: RFC 5321 §3.3 (mail transaction), §4.1.4 (command order), RFC 3030 §2 (BDAT).

import type { SessionBase } from "../core/session.ts";
import type { MessageBody } from "./message-body.ts";

/**
 * connected: no EHLO/HELO yet · greeted: ready for MAIL · mail: MAIL given,
 * no recipient yet · rcpt: at least one recipient · bdat: chunks arriving.
 */
export type SmtpState = "connected" | "greeted" | "mail" | "rcpt" | "bdat";
export const ALL_STATES: readonly SmtpState[] = ["connected", "greeted", "mail", "rcpt", "bdat"];

export interface Recipient {
  /** As the client wrote it (for the Received "for" clause). */
  address: string;
  /** The store user it delivers to. */
  user: string;
}

export interface Transaction {
  /** "" for the null reverse-path <>. */
  reversePath: string;
  /** MAIL ... SMTPUTF8 (RFC 6531 §3.4). */
  utf8: boolean;
  body: "7BIT" | "8BITMIME";
  recipients: Recipient[];
  /** Set once the first BDAT chunk arrived. */
  chunks: MessageBody | null;
}

export interface SmtpSession extends SessionBase {
  /** The EHLO/HELO domain; null until the client greeted (and again after STARTTLS). */
  greeting: { verb: "EHLO" | "HELO"; domain: string } | null;
  /** Authenticated user (RFC 4954); survives EHLO and RSET, not STARTTLS. */
  user: string | null;
  transaction: Transaction | null;
}

export function smtpState(s: SmtpSession): SmtpState {
  if (s.greeting === null) return "connected";
  const t = s.transaction;
  if (t === null) return "greeted";
  if (t.chunks !== null) return "bdat";
  return t.recipients.length === 0 ? "mail" : "rcpt";
}

export function inMailTransaction(s: SmtpSession): boolean {
  return s.transaction !== null;
}

/**
 * End the mail transaction, whatever ended it (RSET, EHLO, STARTTLS, QUIT,
 * the last chunk, the end of the session), and give back the memory its BDAT
 * chunks hold: a transaction dropped any other way would keep it counted.
 */
export function endTransaction(s: SmtpSession): void {
  s.transaction?.chunks?.release();
  s.transaction = null;
}

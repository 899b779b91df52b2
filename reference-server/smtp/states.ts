// The SMTP session: what a connection has said so far (greeting, login,
// the open mail transaction) and the state names the command table uses,
// derived from it so they can never disagree.
// Standards: RFC 5321 §3.3 (mail transaction), §4.1.4 (command order), RFC 3030 §2 (BDAT).

import type { SessionBase } from "../core/session.ts";
import type { RecipientDsn, TransactionDsn } from "./dsn.ts";
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
  /** NOTIFY and ORCPT (RFC 3461 §4.1-4.2), when given. */
  dsn: RecipientDsn;
}

export interface Transaction {
  /** "" for the null reverse-path <>. */
  reversePath: string;
  /** MAIL ... SMTPUTF8 (RFC 6531 §3.4). */
  utf8: boolean;
  body: "7BIT" | "8BITMIME";
  /** RET and ENVID (RFC 3461 §4.3-4.4), when given. */
  dsn: TransactionDsn;
  /** MAIL ... REQUIRETLS (RFC 8689 §4.1): the message is tagged; delivery is local, so no hop follows to hold to it. */
  requireTls: boolean;
  recipients: Recipient[];
  /** Set once the first BDAT chunk arrived. */
  chunks: MessageBody | null;
}

export interface SmtpSession extends SessionBase {
  /** The EHLO/HELO (LMTP: LHLO) domain; null until the client greeted (and again after STARTTLS). */
  greeting: { verb: "EHLO" | "HELO" | "LHLO"; domain: string } | null;
  /** Authenticated user (RFC 4954); survives EHLO and RSET, not STARTTLS. */
  user: string | null;
  /** On the submission port (RFC 6409): AUTH before MAIL, own sender only, Date / Message-ID added (./submission.ts). */
  submission: boolean;
  /** On the LMTP listener (RFC 2033): LHLO, no relaying, one reply per recipient after DATA (./lmtp.ts). */
  lmtp: boolean;
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

// The POP3 session: the phase (AUTHORIZATION or TRANSACTION; UPDATE happens
// inside QUIT), the APOP timestamp, and once logged in the maildrop lock and
// the snapshot of messages the session numbers from 1.
// Standards: RFC 1939 §3 (states), §8 (exclusive maildrop lock), RFC 6856 §2 (UTF-8 mode).

import type { SessionBase } from "../core/session.ts";
import type { Lock, Mailbox, MessageInfo } from "../store/types.ts";

export type Pop3State = "authorization" | "transaction";

/** The messages as they were when the maildrop was locked; numbers never shift during a session. */
export interface Maildrop {
  mailbox: Mailbox;
  uidValidity: number;
  messages: MessageInfo[];
  /** Message numbers marked by DELE, removed only in the UPDATE state. */
  deleted: Set<number>;
}

export interface Pop3Session extends SessionBase {
  state: Pop3State;
  /** The msg-id in the greeting, the APOP salt (RFC 1939 §7). */
  timestamp: string;
  /** Name given by USER, waiting for PASS. */
  pendingUser: string | null;
  user: string | null;
  lock: Lock | null;
  maildrop: Maildrop | null;
  /** UTF-8 mode, entered by UTF8 (RFC 6856 §2): messages with UTF-8 headers are sent as they are. */
  utf8: boolean;
}

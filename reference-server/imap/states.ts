// The IMAP session: the state of RFC 3501 §3, who is logged in, the open
// mailbox (mailbox/view.ts) and what the current command allows to be sent
// unsolicited.
// Standards: RFC 3501 §3 (states), §5.2 and §7.4.1 (mailbox updates), RFC 2177 (IDLE).

import type { SessionBase } from "../core/session.ts";
import type { MailboxView } from "./mailbox/view.ts";

export type ImapState = "not-authenticated" | "authenticated" | "selected" | "logout";

export const ANY_STATE: readonly ImapState[] = ["not-authenticated", "authenticated", "selected"];
export const AUTHENTICATED: readonly ImapState[] = ["authenticated", "selected"];
export const SELECTED: readonly ImapState[] = ["selected"];

export interface ImapSession extends SessionBase {
  state: ImapState;
  user: string | null;
  /** The open mailbox; set exactly when state is "selected". */
  view: MailboxView | null;
  /** The tag of the command being read, for a tagged BAD when its arguments fail to parse. */
  currentTag: string | null;
  /** Capabilities the client turned on with ENABLE (RFC 5161). */
  enabled: Set<string>;
}


// EXAMINE mailbox: open it read-only (no flag changes, \Recent stays).
// Standards: RFC 3501 §6.3.2.

import type { CommandRow } from "../../core/command-table.ts";
import { selectMailbox } from "../mailbox/select.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";

export const examine: CommandRow<ImapSession, ImapState> = {
  verb: "EXAMINE",
  states: AUTHENTICATED,
  handle: (s, command) => selectMailbox(s, command, true),
};

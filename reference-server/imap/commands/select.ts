// SELECT mailbox: open it read-write.
// Standards: RFC 3501 §6.3.1.

import type { CommandRow } from "../../core/command-table.ts";
import { selectMailbox } from "../mailbox/select.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";

export const select: CommandRow<ImapSession, ImapState> = {
  verb: "SELECT",
  states: AUTHENTICATED,
  handle: (s, command) => selectMailbox(s, command, false),
};

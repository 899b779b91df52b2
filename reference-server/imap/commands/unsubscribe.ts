// UNSUBSCRIBE mailbox: remove the name from the subscriptions.
// Standards: RFC 3501 §6.3.7.

import type { CommandRow } from "../../core/command-table.ts";
import { mailboxOnly } from "../grammar/command-args.ts";
import { folders } from "../mailbox/folders.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const unsubscribe: CommandRow<ImapSession, ImapState> = {
  verb: "UNSUBSCRIBE",
  states: AUTHENTICATED,
  async handle(s, command) {
    const name = mailboxOnly(command);
    const f = folders(s);
    await viaStore(s, () => f.unsubscribe(s.user!, name));
    await complete(s, command, "unsubscribe completed");
  },
};

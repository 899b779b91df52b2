// SUBSCRIBE mailbox: add the name to the subscriptions (it need not exist later).
// Standards: RFC 3501 §6.3.6.

import type { CommandRow } from "../../core/command-table.ts";
import { mailboxOnly } from "../grammar/command-args.ts";
import { folders } from "../mailbox/folders.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const subscribe: CommandRow<ImapSession, ImapState> = {
  verb: "SUBSCRIBE",
  states: AUTHENTICATED,
  async handle(s, command) {
    const name = mailboxOnly(command);
    const f = folders(s);
    await viaStore(s, () => f.subscribe(s.user!, name));
    await complete(s, command, "subscribe completed");
  },
};

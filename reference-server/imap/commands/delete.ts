// DELETE mailbox: INBOX cannot be deleted; inferiors stay (the name then
// lists as \Noselect while it has them).
// Standards: RFC 3501 §6.3.4.

import type { CommandRow } from "../../core/command-table.ts";
import { mailboxOnly } from "../grammar/command-args.ts";
import { folders } from "../mailbox/folders.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { touchViews } from "../mailbox/view.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal } from "../vocabulary.ts";

export const del: CommandRow<ImapSession, ImapState> = {
  verb: "DELETE",
  states: AUTHENTICATED,
  async handle(s, command) {
    const name = mailboxOnly(command);
    if (name === "INBOX") throw new Refusal("CANNOT", "INBOX cannot be deleted");
    const f = folders(s);
    if (s.view?.name === name) {
      s.view.close();
      s.view = null;
      s.state = "authenticated";
    }
    await viaStore(s, () => f.deleteMailbox(s.user!, name));
    touchViews(s.user!, (open) => open === name);
    await complete(s, command, "delete completed");
  },
};

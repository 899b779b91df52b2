// CREATE mailbox: a trailing delimiter only declares intent to hold inferiors;
// missing superiors are created too, by the store in one step that checks the
// whole name first, so a refused name leaves no superiors behind. INBOX always exists.
// Standards: RFC 3501 §6.3.3.

import type { CommandRow } from "../../core/command-table.ts";
import { mailboxOnly } from "../grammar/command-args.ts";
import { delimiter, folders } from "../mailbox/folders.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal } from "../vocabulary.ts";

export const create: CommandRow<ImapSession, ImapState> = {
  verb: "CREATE",
  states: AUTHENTICATED,
  async handle(s, command) {
    let name = mailboxOnly(command);
    const d = delimiter(s);
    if (name.endsWith(d) && name.length > d.length) name = name.slice(0, -d.length);
    if (name === "INBOX") throw new Refusal("ALREADYEXISTS", "INBOX always exists");
    const f = folders(s);
    await viaStore(s, () => f.createMailbox(s.user!, name, { superiors: true }));
    await complete(s, command, "create completed");
  },
};

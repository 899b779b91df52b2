// RENAME existing new: inferiors move along; renaming INBOX moves its
// messages into the new mailbox and leaves INBOX empty (the store does both).
// Standards: RFC 3501 §6.3.5.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { delimiter, folders } from "../mailbox/folders.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { touchViews } from "../mailbox/view.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const rename: CommandRow<ImapSession, ImapState> = {
  verb: "RENAME",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const from = r.mailbox();
    r.sp();
    const to = r.mailbox();
    r.end();
    const f = folders(s);
    await viaStore(s, () => f.renameMailbox(s.user!, from, to));
    touchViews(s.user!, (open) => open === from || open.startsWith(from + delimiter(s)));
    await complete(s, command, "rename completed");
  },
};

// CLOSE: expunge \Deleted messages silently (no EXPUNGE responses) unless the
// mailbox is read-only, and return to the authenticated state.
// Standards: RFC 3501 §6.4.2.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const close: CommandRow<ImapSession, ImapState> = {
  verb: "CLOSE",
  states: SELECTED,
  async handle(s, command) {
    noArgs(command);
    const view = s.view!;
    s.view = null;
    s.state = "authenticated";
    view.close();
    if (!view.readOnly) {
      const status = await viaStore(s, () => view.mailbox.status());
      const deleted = status.messages.filter((m) => m.flags.includes("\\Deleted")).map((m) => m.uid);
      if (deleted.length > 0) await viaStore(s, () => view.mailbox.expunge(deleted));
    }
    await complete(s, command, "close completed");
  },
};

// UNSELECT: leave the mailbox without expunging anything.
// Standards: RFC 3691 §2.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const unselect: CommandRow<ImapSession, ImapState> = {
  verb: "UNSELECT",
  states: SELECTED,
  async handle(s, command) {
    noArgs(command);
    s.view!.close();
    s.view = null;
    s.state = "authenticated";
    await complete(s, command, "unselect completed");
  },
};

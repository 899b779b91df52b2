// NOOP: does nothing but gives the server the moment to send mailbox updates.
// Standards: RFC 3501 §6.1.2.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { ANY_STATE, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const noop: CommandRow<ImapSession, ImapState> = {
  verb: "NOOP",
  states: ANY_STATE,
  flags: { preTls: true },
  async handle(s, command) {
    noArgs(command);
    await complete(s, command, "noop completed");
  },
};

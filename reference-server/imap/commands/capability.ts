// CAPABILITY: one untagged CAPABILITY response listing what works now.
// Standards: RFC 3501 §6.1.1.

import type { CommandRow } from "../../core/command-table.ts";
import { capabilities } from "../capabilities.ts";
import { noArgs } from "../grammar/command-args.ts";
import { ANY_STATE, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";

export const capability: CommandRow<ImapSession, ImapState> = {
  verb: "CAPABILITY",
  states: ANY_STATE,
  flags: { preTls: true },
  async handle(s, command) {
    noArgs(command);
    untagged(s, `CAPABILITY ${capabilities(s).join(" ")}`);
    await complete(s, command, "capability completed");
  },
};

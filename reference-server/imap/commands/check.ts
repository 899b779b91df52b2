// CHECK: a checkpoint; every change is already durable, so it only reports updates.
// Standards: RFC 3501 §6.4.1.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const check: CommandRow<ImapSession, ImapState> = {
  verb: "CHECK",
  states: SELECTED,
  async handle(s, command) {
    noArgs(command);
    await complete(s, command, "check completed");
  },
};

// NAMESPACE: one personal namespace with the empty prefix; no other users'
// or shared namespaces.
// Standards: RFC 2342 §5.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { delimiter } from "../mailbox/folders.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { str } from "../value.ts";
import { encodeValue } from "../writer.ts";
import { complete, untagged } from "../vocabulary.ts";

export const namespace: CommandRow<ImapSession, ImapState> = {
  verb: "NAMESPACE",
  states: AUTHENTICATED,
  async handle(s, command) {
    noArgs(command);
    untagged(s, `NAMESPACE (("" ${encodeValue(str(delimiter(s)))})) NIL NIL`);
    await complete(s, command, "namespace completed");
  },
};

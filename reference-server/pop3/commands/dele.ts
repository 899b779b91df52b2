// DELE msg: mark for deletion; the message goes only in the UPDATE state.
// Standards: RFC 1939 §5 (DELE).

import type { CommandRow } from "../../core/command-table.ts";
import { messageNumber, splitArgs } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const dele: CommandRow<Pop3Session, Pop3State> = {
  verb: "DELE",
  states: ["transaction"],
  handle(s, command) {
    const [arg] = splitArgs(command.args, 1);
    const n = messageNumber(s, arg);
    s.maildrop!.deleted.add(n);
    ok(s, `message ${n} deleted`);
  },
};

// RSET: unmark every message marked deleted.
// Standards: RFC 1939 §5 (RSET).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { totals } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const rset: CommandRow<Pop3Session, Pop3State> = {
  verb: "RSET",
  states: ["transaction"],
  handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "RSET takes no arguments");
    const m = s.maildrop!;
    m.deleted.clear();
    const { count, octets } = totals(m);
    ok(s, `maildrop has ${count} messages (${octets} octets)`);
  },
};

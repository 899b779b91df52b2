// STAT: "+OK count octets" for the messages not marked deleted.
// Standards: RFC 1939 §5 (STAT, drop listing).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { totals } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const stat: CommandRow<Pop3Session, Pop3State> = {
  verb: "STAT",
  states: ["transaction"],
  handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "STAT takes no arguments");
    const { count, octets } = totals(s.maildrop!);
    ok(s, `${count} ${octets}`);
  },
};

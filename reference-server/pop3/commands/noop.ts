// NOOP: "+OK", nothing else.
// Standards: RFC 1939 §5 (NOOP).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const noop: CommandRow<Pop3Session, Pop3State> = {
  verb: "NOOP",
  states: ["transaction"],
  handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "NOOP takes no arguments");
    ok(s, "");
  },
};

// EXPN: there are no mailing lists here, and expanding lists leaks
// addresses, so the command is not implemented (502).
// Standards: RFC 5321 §3.5.3 and §4.1.1.7, §7.3.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { ALL_STATES, type SmtpSession } from "../states.ts";

export const expn: CommandRow<SmtpSession> = {
  verb: "EXPN",
  states: ALL_STATES,
  handle(_s, command) {
    if (command.args === "") throw new ClientError("syntax", "EXPN needs an argument");
    throw new ClientError("not-implemented", "EXPN not available");
  },
};

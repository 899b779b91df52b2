// RSET: abort the mail transaction; greeting and login stay.
// Standards: RFC 5321 §4.1.1.5 ("rset = "RSET" CRLF").

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { ALL_STATES, endTransaction, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const rset: CommandRow<SmtpSession> = {
  verb: "RSET",
  states: ALL_STATES,
  flags: { preTls: true },
  handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "RSET takes no arguments");
    endTransaction(s);
    reply(s, 250, "2.0.0", "OK");
  },
};

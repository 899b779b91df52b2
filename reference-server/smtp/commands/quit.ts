// QUIT: 221, then close. An open transaction is abandoned, never delivered.
// Standards: RFC 5321 §4.1.1.10 ("quit = "QUIT" CRLF").

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { ALL_STATES, endTransaction, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const quit: CommandRow<SmtpSession> = {
  verb: "QUIT",
  states: ALL_STATES,
  flags: { preTls: true },
  async handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "QUIT takes no arguments");
    endTransaction(s);
    reply(s, 221, "2.0.0", `${s.context.config.hostname} closing connection`);
    await s.conn.close();
  },
};

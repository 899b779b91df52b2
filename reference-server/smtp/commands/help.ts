// HELP: a short list of the commands this server knows (214).
// Standards: RFC 5321 §4.1.1.8 ("help = "HELP" [ SP String ] CRLF").

import type { CommandRow } from "../../core/command-table.ts";
import { ALL_STATES, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const help: CommandRow<SmtpSession> = {
  verb: "HELP",
  states: ALL_STATES,
  handle(s) {
    reply(s, 214, "2.0.0", [
      "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP STARTTLS AUTH",
      "See RFC 5321",
    ]);
  },
};

// NOOP: no action; the argument, if any, is ignored.
// Standards: RFC 5321 §4.1.1.9 ("noop = "NOOP" [ SP String ] CRLF").

import type { CommandRow } from "../../core/command-table.ts";
import { ALL_STATES, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const noop: CommandRow<SmtpSession> = {
  verb: "NOOP",
  states: ALL_STATES,
  flags: { preTls: true },
  handle(s) {
    reply(s, 250, "2.0.0", "OK");
  },
};

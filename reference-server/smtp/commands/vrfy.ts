// VRFY: we never confirm addresses (it would let anyone harvest them) and
// answer 252 "cannot verify, but will accept", as the RFC allows.
// Standards: RFC 5321 §3.5.3 and §4.1.1.6, §7.3 (security of VRFY/EXPN).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { ALL_STATES, type SmtpSession } from "../states.ts";
import { requireAuthentication } from "../submission.ts";
import { reply } from "../vocabulary.ts";

export const vrfy: CommandRow<SmtpSession> = {
  verb: "VRFY",
  states: ALL_STATES,
  handle(s, command) {
    requireAuthentication(s, "VRFY");
    if (command.args === "") throw new ClientError("syntax", "VRFY needs an argument");
    reply(s, 252, "2.5.0", "cannot VRFY user, but will accept message and attempt delivery");
  },
};

// LOGOUT: untagged BYE, then the tagged OK, then the server closes.
// Standards: RFC 3501 §6.1.3.

import type { CommandRow } from "../../core/command-table.ts";
import { noArgs } from "../grammar/command-args.ts";
import { ANY_STATE, type ImapSession, type ImapState } from "../states.ts";
import { statusLine, untagged } from "../vocabulary.ts";

export const logout: CommandRow<ImapSession, ImapState> = {
  verb: "LOGOUT",
  states: ANY_STATE,
  flags: { preTls: true },
  async handle(s, command) {
    noArgs(command);
    untagged(s, "BYE logging out");
    s.conn.write(statusLine(command.tag!, "OK", null, "logout completed"));
    s.view?.close();
    s.view = null;
    s.state = "logout";
    await s.conn.close();
  },
};

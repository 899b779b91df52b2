// LIST [msg]: scan listings "n octets", one or all (deleted ones left out).
// Octets are exactly what RETR sends before dot-stuffing.
// Standards: RFC 1939 §5 (LIST, scan listing).

import type { CommandRow } from "../../core/command-table.ts";
import { answerListing } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";

export const list: CommandRow<Pop3Session, Pop3State> = {
  verb: "LIST",
  states: ["transaction"],
  handle(s, command) {
    answerListing(s, command.args, "%d messages", (m, n) => m.messages[n - 1]!.size);
  },
};

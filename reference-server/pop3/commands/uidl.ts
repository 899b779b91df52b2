// UIDL [msg]: unique-id listings. The id joins UIDVALIDITY and UID, so it is
// stable across sessions and never reused while the store keeps its UIDs.
// Standards: RFC 1939 §7 (UIDL: 1-70 characters in 0x21-0x7E), RFC 3501 §2.3.1.1.

import type { CommandRow } from "../../core/command-table.ts";
import { answerListing } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";

export const uidl: CommandRow<Pop3Session, Pop3State> = {
  verb: "UIDL",
  states: ["transaction"],
  handle(s, command) {
    answerListing(s, command.args, "unique-id listing follows", (m, n) => `${m.uidValidity}.${m.messages[n - 1]!.uid}`);
  },
};

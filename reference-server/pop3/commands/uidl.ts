// UIDL [msg]: unique-id listings. The id joins UIDVALIDITY and UID, so it is
// stable across sessions and never reused while the store keeps its UIDs.
// Standards: RFC 1939 §7 (UIDL: 1-70 characters in 0x21-0x7E), RFC 3501 §2.3.1.1.

import type { CommandRow } from "../../core/command-table.ts";
import { messageNumber, splitArgs } from "../maildrop.ts";
import type { Maildrop, Pop3Session, Pop3State } from "../states.ts";
import { ok, okList } from "../vocabulary.ts";

function uniqueId(m: Maildrop, n: number): string {
  return `${m.uidValidity}.${m.messages[n - 1]!.uid}`;
}

export const uidl: CommandRow<Pop3Session, Pop3State> = {
  verb: "UIDL",
  states: ["transaction"],
  handle(s, command) {
    const [arg] = splitArgs(command.args, 1);
    const m = s.maildrop!;
    if (arg !== undefined) {
      const n = messageNumber(s, arg);
      ok(s, `${n} ${uniqueId(m, n)}`);
      return;
    }
    const lines = m.messages.flatMap((_info, i) => (m.deleted.has(i + 1) ? [] : [`${i + 1} ${uniqueId(m, i + 1)}`]));
    okList(s, "unique-id listing follows", lines);
  },
};

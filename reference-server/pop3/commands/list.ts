// LIST [msg]: scan listings "n octets", one or all (deleted ones left out).
// Octets are exactly what RETR sends before dot-stuffing.
// Standards: RFC 1939 §5 (LIST, scan listing).

import type { CommandRow } from "../../core/command-table.ts";
import { messageNumber, splitArgs } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok, okList } from "../vocabulary.ts";

export const list: CommandRow<Pop3Session, Pop3State> = {
  verb: "LIST",
  states: ["transaction"],
  handle(s, command) {
    const [arg] = splitArgs(command.args, 1);
    const m = s.maildrop!;
    if (arg !== undefined) {
      const n = messageNumber(s, arg);
      ok(s, `${n} ${m.messages[n - 1]!.size}`);
      return;
    }
    const lines = m.messages.flatMap((info, i) => (m.deleted.has(i + 1) ? [] : [`${i + 1} ${info.size}`]));
    okList(s, `${lines.length} messages`, lines);
  },
};

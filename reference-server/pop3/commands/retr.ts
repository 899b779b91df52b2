// RETR msg: the whole message, dot-stuffed, ended by ".".
// A message with a UTF-8 header needs UTF-8 mode (../utf8.ts).
// Standards: RFC 1939 §7 (RETR), §3 (byte-stuffing of multiline responses), RFC 6856 §2.1.

import type { CommandRow } from "../../core/command-table.ts";
import { dotStuff } from "../../../wire/dot-stuffing.ts";
import { messageNumber, splitArgs } from "../maildrop.ts";
import { readMessage } from "../read-message.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { requireUtf8ModeFor } from "../utf8.ts";
import { ok } from "../vocabulary.ts";

export const retr: CommandRow<Pop3Session, Pop3State> = {
  verb: "RETR",
  states: ["transaction"],
  async handle(s, command) {
    const [arg] = splitArgs(command.args, 1);
    const n = messageNumber(s, arg);
    const bytes = await readMessage(s, n);
    requireUtf8ModeFor(s, n, bytes);
    ok(s, `${s.maildrop!.messages[n - 1]!.size} octets`);
    s.conn.write(dotStuff(bytes));
  },
};

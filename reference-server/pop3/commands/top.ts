// TOP msg n: the header, the blank line, and the first n body lines.
// A message with a UTF-8 header needs UTF-8 mode (../utf8.ts).
// Standards: RFC 1939 §7 (TOP), RFC 5322 §2.1 (header / body separation), RFC 6856 §2.1.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { dotStuff } from "../../../wire/dot-stuffing.ts";
import { messageNumber, parseCount, splitArgs } from "../maildrop.ts";
import { readMessage } from "../read-message.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { requireUtf8ModeFor } from "../utf8.ts";
import { ok } from "../vocabulary.ts";

export const top: CommandRow<Pop3Session, Pop3State> = {
  verb: "TOP",
  states: ["transaction"],
  async handle(s, command) {
    const args = splitArgs(command.args, 2);
    if (args.length !== 2) throw new ClientError("syntax", "expected TOP <msg> <lines>");
    const n = messageNumber(s, args[0]);
    const lines = parseCount(args[1], "line count");
    const bytes = await readMessage(s, n);
    requireUtf8ModeFor(s, n, bytes);
    ok(s, "top of message follows");
    s.conn.write(dotStuff(headAndLines(bytes, lines)));
  },
};

/** The header section with its blank line, plus at most `count` body lines. */
export function headAndLines(message: Buffer, count: number): Buffer {
  const blank = message.indexOf("\r\n\r\n");
  if (blank === -1) return message;
  let end = blank + 4;
  for (let i = 0; i < count && end < message.length; i++) {
    const next = message.indexOf("\r\n", end);
    end = next === -1 ? message.length : next + 2;
  }
  return message.subarray(0, end);
}

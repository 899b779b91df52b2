// Reading one message of the maildrop for RETR and TOP, with store trouble
// turned into the right -ERR: gone (another protocol expunged it) or [SYS/TEMP].
// A server short of memory answers [SYS/TEMP] before it reads the message:
// clients that request large messages and never read them would otherwise
// hold a copy each (and a dot-stuffed one) until their timeout.
// Standards: RFC 1939 §7, RFC 3206 §4 ([SYS/TEMP]).

import { ClientError, Overloaded, TempFailure } from "../core/errors.ts";
import { MessageGone } from "../store/types.ts";
import type { Pop3Session } from "./states.ts";

export async function readMessage(s: Pop3Session, n: number): Promise<Buffer> {
  const m = s.maildrop!;
  // The message as read, and its dot-stuffed copy on the way out.
  if (!s.context.memory.hasRoomFor(2 * m.messages[n - 1]!.size)) throw new Overloaded("server is short of memory, try again later");
  try {
    return await m.mailbox.read(m.messages[n - 1]!.uid);
  } catch (error) {
    if (error instanceof MessageGone) throw new ClientError("no-such-message", `message ${n} was removed by another session`);
    s.context.log?.(`${s.conn.id} read failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new TempFailure("cannot read message", { cause: error });
  }
}

// Reading one message of the maildrop for RETR and TOP, with store trouble
// turned into the right -ERR: gone (another protocol expunged it) or [SYS/TEMP].
// Standards: RFC 1939 §7, RFC 3206 §4 ([SYS/TEMP]).

import { ClientError, TempFailure } from "../core/errors.ts";
import { MessageGone } from "../store/types.ts";
import type { Pop3Session } from "./states.ts";

export async function readMessage(s: Pop3Session, n: number): Promise<Buffer> {
  const m = s.maildrop!;
  try {
    return await m.mailbox.read(m.messages[n - 1]!.uid);
  } catch (error) {
    if (error instanceof MessageGone) throw new ClientError("no-such-message", `message ${n} was removed by another session`);
    s.context.log?.(`${s.conn.id} read failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new TempFailure("cannot read message", { cause: error });
  }
}

// QUIT: in AUTHORIZATION just goodbye; in TRANSACTION enter UPDATE: remove
// the messages marked deleted, release the lock, then goodbye. Only QUIT
// deletes: a dropped connection or an autologout never does.
// Standards: RFC 1939 §4 and §6 (UPDATE state), §3 (autologout skips UPDATE).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError, TempFailure } from "../../core/errors.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok, pop3Vocabulary } from "../vocabulary.ts";

export const quit: CommandRow<Pop3Session, Pop3State> = {
  verb: "QUIT",
  states: ["authorization", "transaction"],
  flags: { preTls: true },
  async handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "QUIT takes no arguments");
    const m = s.maildrop;
    if (s.state === "transaction" && m) {
      const uids = [...m.deleted].map((n) => m.messages[n - 1]!.uid);
      try {
        if (uids.length > 0) await m.mailbox.expunge(uids);
        ok(s, `bye, ${m.messages.length - uids.length} messages left`);
      } catch (error) {
        s.context.log?.(`${s.conn.id} expunge failed: ${error instanceof Error ? error.message : String(error)}`);
        // RFC 1939 §6: "-ERR some deleted messages not removed", and the session still ends.
        s.conn.write(pop3Vocabulary.failure(s, new TempFailure("some deleted messages not removed"), command));
      }
      s.lock?.release();
      s.lock = null;
    } else {
      ok(s, "bye");
    }
    await s.conn.close();
  },
};

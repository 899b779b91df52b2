// IDLE: "+ idling", then every change to the selected mailbox is sent as it
// happens (a delivery by SMTP shows up at once) until the client sends DONE.
// The autologout timer still runs; clients re-issue IDLE within 29 minutes.
// Standards: RFC 2177 §3, RFC 3501 §5.4.

import type { CommandRow } from "../../core/command-table.ts";
import { LINE_TOO_LONG, type ReadLine } from "../../core/connection.ts";
import { ClientError } from "../../core/errors.ts";
import { noArgs } from "../grammar/command-args.ts";
import { MAX_COMMAND_LINE_OCTETS } from "../limits.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, continuation } from "../vocabulary.ts";

export const idle: CommandRow<ImapSession, ImapState> = {
  verb: "IDLE",
  states: AUTHENTICATED,
  async handle(s, command) {
    noArgs(command);
    continuation(s, "idling");
    // One pending read for the whole IDLE: a second readLine would replace its wake-up.
    const line = s.conn.readLine(MAX_COMMAND_LINE_OCTETS, s.context.config.imap.idleTimeoutMs);
    let done: ReadLine | null = null;
    void line.then(
      (value) => (done = value),
      () => undefined,
    );
    for (;;) {
      const view = s.view;
      const changed = view ? view.changed().then(() => "changed" as const) : new Promise<never>(() => {});
      const winner = await Promise.race([line.then(() => "line" as const), changed]);
      if (winner === "line" || done !== null) break;
      await view!.deliverUpdates(s, { expunges: true });
      s.conn.flush();
    }
    const input = await line;
    if (input === LINE_TOO_LONG || input.bytes.toString("latin1").toUpperCase() !== "DONE") {
      throw new ClientError("syntax", "expected DONE to end IDLE");
    }
    await complete(s, command, "idle terminated");
  },
};

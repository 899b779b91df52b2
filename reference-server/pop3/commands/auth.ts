// AUTH: SASL with "+ <base64>" continuations; "*" cancels. A bare AUTH lists
// the mechanisms (the RFC 1734 form some clients still probe with).
// Standards: RFC 5034 §4, RFC 3206 ([AUTH]), RFC 2449 §8.1.1, RFC 4422.

import type { CommandRow } from "../../core/command-table.ts";
import { usableMechanisms } from "../../auth/mechanisms.ts";
import { authenticateCommand } from "../../auth/command.ts";
import { openMaildrop } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { okList } from "../vocabulary.ts";

export const auth: CommandRow<Pop3Session, Pop3State> = {
  verb: "AUTH",
  states: ["authorization"],
  flags: { redactArgs: true },
  async handle(s, command) {
    const { config, users } = s.context;
    if (command.args === "") {
      okList(s, "SASL mechanisms follow", usableMechanisms(s.conn, config, users).map((m) => m.name));
      return;
    }
    s.pendingUser = null;
    const user = await authenticateCommand(s.conn, s.context, command.args, {
      writeChallenge: (data) => s.conn.write(`+ ${data}\r\n`),
      responseTimeoutMs: config.pop3.idleTimeoutMs,
      encryptionRequired: "plaintext authentication disallowed without TLS, use STLS",
    });
    await openMaildrop(s, user);
  },
};

// STARTTLS: 220, then the TLS handshake on the same connection. Input the
// client pipelined behind the command is discarded (command injection,
// CVE-2011-0411), and so is everything learnt before: greeting, login,
// transaction — the client must EHLO again.
// Standards: RFC 3207 §4 and §4.2, RFC 2920 §3.1 (STARTTLS ends a pipelined group).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { endTransaction, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const starttls: CommandRow<SmtpSession> = {
  verb: "STARTTLS",
  states: ["greeted"],
  flags: { preTls: true },
  async handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "STARTTLS takes no arguments");
    if (s.conn.tls) throw new ClientError("bad-sequence", "TLS already active");
    reply(s, 220, "2.0.0", "ready to start TLS");
    const discarded = await s.conn.startTls(s.context.tls.context);
    if (discarded > 0) s.context.log?.(`${s.conn.id} discarded ${discarded} octets pipelined behind STARTTLS`);
    s.greeting = null;
    s.user = null;
    endTransaction(s);
  },
};

// STARTTLS: tagged OK, then the TLS handshake. Whatever the client pipelined
// behind the command is discarded (command injection, CVE-2011-0411), and the
// client must ask for CAPABILITY again.
// Standards: RFC 3501 §6.2.1, RFC 2595 §3.1, RFC 7817.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { noArgs } from "../grammar/command-args.ts";
import type { ImapSession, ImapState } from "../states.ts";
import { statusLine } from "../vocabulary.ts";

export const starttls: CommandRow<ImapSession, ImapState> = {
  verb: "STARTTLS",
  states: ["not-authenticated"],
  flags: { preTls: true },
  async handle(s, command) {
    noArgs(command);
    if (s.conn.tls) throw new ClientError("bad-sequence", "TLS already active");
    s.conn.write(statusLine(command.tag!, "OK", null, "begin TLS negotiation now"));
    s.currentTag = null;
    const discarded = await s.conn.startTls(s.context.tls.context);
    if (discarded > 0) s.context.log?.(`${s.conn.id} discarded ${discarded} octets pipelined behind STARTTLS`);
  },
};

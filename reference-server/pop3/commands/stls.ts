// STLS: "+OK", then the TLS handshake. Input pipelined behind STLS is
// discarded and so is a pending USER (command injection, CVE-2011-0411).
// Standards: RFC 2595 §4.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const stls: CommandRow<Pop3Session, Pop3State> = {
  verb: "STLS",
  states: ["authorization"],
  flags: { preTls: true },
  async handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "STLS takes no arguments");
    if (s.conn.tls) throw new ClientError("bad-sequence", "TLS already active");
    ok(s, "begin TLS negotiation");
    const discarded = await s.conn.startTls(s.context.tls.context);
    if (discarded > 0) s.context.log?.(`${s.conn.id} discarded ${discarded} octets pipelined behind STLS`);
    s.pendingUser = null;
  },
};

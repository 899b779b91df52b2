// STLS: "+OK", then the TLS handshake. Input pipelined behind STLS is
// discarded and so is a pending USER (command injection, CVE-2011-0411).
// Refused after UTF8, which clients must not follow with STLS.
// Standards: RFC 2595 §4, RFC 6856 §2.1 (STLS after UTF8: the server MAY refuse it).

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
    if (s.utf8) throw new ClientError("bad-sequence", "STLS is not allowed after UTF8");
    ok(s, "begin TLS negotiation");
    const discarded = await s.conn.startTls(s.context.tls.context);
    if (discarded > 0) s.context.log?.(`${s.conn.id} discarded ${discarded} octets pipelined behind STLS`);
    s.pendingUser = null;
  },
};

// What CAPABILITY lists, which depends on the channel and the state: STARTTLS
// and LOGINDISABLED before TLS, the SASL mechanisms usable now, and the
// extensions this server honours.
// Standards: RFC 3501 §6.1.1 and §6.2.1, RFC 2177, 2342, 2971, 3348, 3691, 4315, 4959, 5161, 5258, 6154, 6851, 7888, 7889.

import { plaintextAuthAllowed, usableMechanisms } from "../auth/mechanisms.ts";
import type { ImapSession } from "./states.ts";

const EXTENSIONS = [
  "LITERAL+",
  "SASL-IR",
  "ID",
  "ENABLE",
  "IDLE",
  "NAMESPACE",
  "UNSELECT",
  "CHILDREN",
  "LIST-EXTENDED",
  "SPECIAL-USE",
  "UIDPLUS",
  "MOVE",
];

export function capabilities(s: ImapSession): string[] {
  const { config, users } = s.context;
  const list = ["IMAP4rev1", ...EXTENSIONS, `APPENDLIMIT=${config.imap.maxAppendOctets}`];
  if (s.state === "not-authenticated") {
    if (!s.conn.tls) list.push("STARTTLS");
    if (!plaintextAuthAllowed(s.conn, config)) list.push("LOGINDISABLED");
    for (const m of usableMechanisms(s.conn, config, users)) list.push(`AUTH=${m.name}`);
  }
  return list;
}

// What CAPABILITY lists, which depends on the channel and the state: STARTTLS
// and LOGINDISABLED before TLS, the SASL mechanisms usable now, and the
// extensions this server honours.
// Standards: RFC 3501 §6.1.1 and §6.2.1, RFC 9051 §6.1.1, RFC 2177, 2342, 2971, 3348, 3691, 4315, 4959, 5161, 5258, 6154, 6851, 7162, 7888, 7889, 3516, 3502, 5819, 8438, 8474, 9208, 6855, 4469, 4731, 5182, 5256, 5267, 5957, 4978.

import { plaintextAuthAllowed, usableMechanisms } from "../auth/mechanisms.ts";
import { foldersOf } from "./mailbox/folders.ts";
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
  "ESEARCH",
  "SEARCHRES",
  "SORT",
  "SORT=DISPLAY",
  "ESORT",
  "THREAD=ORDEREDSUBJECT",
  "THREAD=REFERENCES",
  "CONDSTORE",
  "QRESYNC",
  "BINARY",
  "MULTIAPPEND",
  "LIST-STATUS",
  "STATUS=SIZE",
  "CATENATE",
  // RFC 9208: the resources this server counts; a limit is configured or the QUOTA list is empty; SETQUOTA (QUOTASET, §4.1.3).
  "QUOTA",
  "QUOTA=RES-STORAGE",
  "QUOTA=RES-MESSAGE",
  "QUOTASET",
  "UTF8=ACCEPT",
  "COMPRESS=DEFLATE",
];

export function capabilities(s: ImapSession): string[] {
  const { config, users } = s.context;
  // RFC 9051 §6.1.1: both revisions; rev1 behaviour until the client sends ENABLE IMAP4rev2 (§6.3.1).
  const list = ["IMAP4rev1", "IMAP4rev2", ...EXTENSIONS, `APPENDLIMIT=${config.imap.maxAppendOctets}`];
  // RFC 8474: MAILBOXIDs and RFC 6154 §3 special uses given at CREATE live in the folders' directories.
  if (foldersOf(s.context.store)) list.push("OBJECTID", "CREATE-SPECIAL-USE");
  if (s.state === "not-authenticated") {
    if (!s.conn.tls) list.push("STARTTLS");
    if (!plaintextAuthAllowed(s.conn, config)) list.push("LOGINDISABLED");
    for (const m of usableMechanisms(s.conn, config, users)) list.push(`AUTH=${m.name}`);
  }
  return list;
}

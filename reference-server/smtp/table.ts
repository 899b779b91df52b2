// The SMTP command table: one row per verb, each defined in commands/; and
// LMTP's, the same rows with LHLO for EHLO and HELO, which LMTP does not have
// (so they get 500 as unknown commands), and without AUTH.
// Standards: RFC 5321 §4.1.1 (commands), RFC 3207, RFC 4954, RFC 3030, RFC 2033 §4.1 (LHLO; HELO/EHLO: 500 recommended), §4.3 (BDAT).

import { commandTable } from "../core/command-table.ts";
import { auth } from "./commands/auth.ts";
import { bdat } from "./commands/bdat.ts";
import { data } from "./commands/data.ts";
import { ehlo, helo, lhlo } from "./commands/ehlo.ts";
import { expn } from "./commands/expn.ts";
import { help } from "./commands/help.ts";
import { mail } from "./commands/mail.ts";
import { noop } from "./commands/noop.ts";
import { quit } from "./commands/quit.ts";
import { rcpt } from "./commands/rcpt.ts";
import { rset } from "./commands/rset.ts";
import { starttls } from "./commands/starttls.ts";
import { vrfy } from "./commands/vrfy.ts";
import type { SmtpSession } from "./states.ts";

export const smtpCommands = commandTable<SmtpSession>([
  ehlo, helo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, expn, help, starttls, auth,
]);

export const lmtpCommands = commandTable<SmtpSession>([
  lhlo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, expn, help, starttls,
]);

// The POP3 command table: one row per verb, each defined in commands/.
// Standards: RFC 1939 §4-7, RFC 2449, RFC 2595, RFC 5034, RFC 6856 (UTF8, LANG).

import { commandTable } from "../core/command-table.ts";
import { apop } from "./commands/apop.ts";
import { auth } from "./commands/auth.ts";
import { capa } from "./commands/capa.ts";
import { dele } from "./commands/dele.ts";
import { lang } from "./commands/lang.ts";
import { list } from "./commands/list.ts";
import { noop } from "./commands/noop.ts";
import { pass } from "./commands/pass.ts";
import { quit } from "./commands/quit.ts";
import { retr } from "./commands/retr.ts";
import { rset } from "./commands/rset.ts";
import { stat } from "./commands/stat.ts";
import { stls } from "./commands/stls.ts";
import { top } from "./commands/top.ts";
import { uidl } from "./commands/uidl.ts";
import { user } from "./commands/user.ts";
import { utf8 } from "./commands/utf8.ts";
import type { Pop3Session } from "./states.ts";

export const pop3Commands = commandTable<Pop3Session>([
  user, pass, apop, auth, stls, capa, quit, stat, list, retr, dele, noop, rset, top, uidl, utf8, lang,
]);

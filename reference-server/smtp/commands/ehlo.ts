// EHLO and HELO: the client names itself; EHLO gets the extension list.
// Either one resets a mail transaction in progress.
// Standards: RFC 5321 §4.1.1.1, §4.1.4 ("EHLO ... in the middle of a transaction ... RSET"),
// RFC 2034 §3 (no enhanced code on EHLO/HELO replies).

import type { CommandRow } from "../../core/command-table.ts";
import { usableMechanisms } from "../../auth/mechanisms.ts";
import { parseHeloArgument } from "../grammar.ts";
import { ALL_STATES, endTransaction, type SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

/** The EHLO keyword list, as this connection may use it now. */
export function extensions(s: SmtpSession): string[] {
  const { config } = s.context;
  const list = ["PIPELINING", `SIZE ${config.smtp.maxMessageOctets}`, "8BITMIME", "ENHANCEDSTATUSCODES"];
  if (!s.conn.tls) list.push("STARTTLS");
  const mechanisms = usableMechanisms(s.conn, config, s.context.users).map((m) => m.name);
  if (mechanisms.length > 0 && s.user === null) list.push(`AUTH ${mechanisms.join(" ")}`);
  list.push("SMTPUTF8", "CHUNKING", "HELP");
  return list;
}

export const ehlo: CommandRow<SmtpSession> = {
  verb: "EHLO",
  states: ALL_STATES,
  flags: { preTls: true },
  handle(s, command) {
    const domain = parseHeloArgument(command.args, "EHLO");
    s.greeting = { verb: "EHLO", domain };
    endTransaction(s);
    const host = s.context.config.hostname;
    reply(s, 250, null, [`${host} greets ${domain}`, ...extensions(s)]);
  },
};

export const helo: CommandRow<SmtpSession> = {
  verb: "HELO",
  states: ALL_STATES,
  flags: { preTls: true },
  handle(s, command) {
    const domain = parseHeloArgument(command.args, "HELO");
    s.greeting = { verb: "HELO", domain };
    endTransaction(s);
    reply(s, 250, null, s.context.config.hostname);
  },
};

// EHLO and HELO: the client names itself; EHLO gets the extension list.
// Either one resets a mail transaction in progress. LHLO is LMTP's EHLO.
// Standards: RFC 5321 §4.1.1.1, §4.1.4 ("EHLO ... in the middle of a transaction ... RSET"),
// RFC 2034 §3 (no enhanced code on EHLO/HELO replies), RFC 3461 §3 (DSN keyword), RFC 8689 §2 (REQUIRETLS),
// RFC 2033 §4.1 (LHLO: the semantics of EHLO), §5 (PIPELINING and ENHANCEDSTATUSCODES required), §4.3 (CHUNKING).

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
  // LMTP's table has no AUTH, and its delivery is final: no DSN to send later.
  if (s.lmtp) return [...list, "SMTPUTF8", "CHUNKING", "HELP"];
  const mechanisms = usableMechanisms(s.conn, config, s.context.users).map((m) => m.name);
  if (mechanisms.length > 0 && s.user === null) list.push(`AUTH ${mechanisms.join(" ")}`);
  list.push("DSN", "SMTPUTF8", "CHUNKING", "HELP");
  if (offersRequireTls(s)) list.push("REQUIRETLS");
  return list;
}

/** RFC 8689: REQUIRETLS only on a session TLS protects, where the option may be given; not on LMTP. */
export function offersRequireTls(s: SmtpSession): boolean {
  return s.conn.tls && !s.lmtp;
}

function extendedHello(verb: "EHLO" | "LHLO"): CommandRow<SmtpSession> {
  return {
    verb,
    states: ALL_STATES,
    flags: { preTls: true },
    handle(s, command) {
      const domain = parseHeloArgument(command.args, verb);
      s.greeting = { verb, domain };
      endTransaction(s);
      const host = s.context.config.hostname;
      reply(s, 250, null, [`${host} greets ${domain}`, ...extensions(s)]);
    },
  };
}

export const ehlo = extendedHello("EHLO");
export const lhlo = extendedHello("LHLO");

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

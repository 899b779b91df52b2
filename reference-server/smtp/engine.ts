// The SMTP engine: what the shared session driver needs to run SMTP — the
// table, the vocabulary, the limits and timeouts from the config, and the 220
// greeting. serve.ts gives it to the SMTP and SMTPS listeners.
// Standards: RFC 5321 §3.1 and §4.3.1 (greeting), §4.5.3 (limits, timeouts), RFC 8314 §3.3.

import type { ServerConfig } from "../config/types.ts";
import { splitCommandLine, type Engine } from "../core/session.ts";
import { MAX_COMMAND_LINE_OCTETS } from "./limits.ts";
import { MAX_SASL_LINE_OCTETS } from "../auth/command.ts";
import { smtpState, type SmtpSession } from "./states.ts";
import { smtpCommands } from "./table.ts";
import { reply, smtpVocabulary } from "./vocabulary.ts";

/** Longest line any SMTP read asks for: SASL responses. */
export const SMTP_MAX_BUFFERED_LINE_OCTETS = MAX_SASL_LINE_OCTETS;

export function smtpEngine(config: ServerConfig): Engine<SmtpSession> {
  return {
    protocol: "smtp",
    table: smtpCommands,
    vocabulary: smtpVocabulary,
    maxCommandLineOctets: MAX_COMMAND_LINE_OCTETS,
    commandTimeoutMs: config.smtp.commandTimeoutMs,
    maxBadCommands: config.smtp.maxBadCommands,
    open: (conn, context) => ({ conn, context, greeting: null, user: null, transaction: null }),
    greet(s) {
      reply(s, 220, null, `${config.hostname} ESMTP mailconform ready`);
    },
    parse: (line) => splitCommandLine(line),
    state: smtpState,
    tlsRequired: () => config.smtp.requireTls,
  };
}

// The SMTP engine: what the shared session driver needs to run SMTP — the
// table, the vocabulary, the limits and timeouts from the config, and the 220
// greeting. serve.ts gives it to the SMTP and SMTPS listeners, the submission
// listener and, with LMTP's own table, the LMTP listener.
// Standards: RFC 5321 §3.1 and §4.3.1 (greeting), §4.5.3 (limits, timeouts), RFC 8314 §3.3, RFC 2033 (LMTP).

import { isUtf8 } from "node:buffer";
import type { ServerConfig } from "../config/types.ts";
import { ClientError } from "../core/errors.ts";
import { splitCommandLine, type Engine } from "../core/session.ts";
import { MAX_COMMAND_LINE_OCTETS } from "./limits.ts";
import { endTransaction, smtpState, type SmtpSession } from "./states.ts";
import { lmtpCommands, smtpCommands } from "./table.ts";
import { reply, smtpVocabulary } from "./vocabulary.ts";

/** `submission`: the engine of the submission listener (RFC 6409, port 587; ./submission.ts); `lmtp`: of the LMTP listener (./lmtp.ts). */
export function smtpEngine(config: ServerConfig, role: "relay" | "submission" | "lmtp" = "relay"): Engine<SmtpSession> {
  return {
    protocol: "smtp",
    table: role === "lmtp" ? lmtpCommands : smtpCommands,
    vocabulary: smtpVocabulary,
    maxCommandLineOctets: MAX_COMMAND_LINE_OCTETS,
    commandTimeoutMs: config.smtp.commandTimeoutMs,
    maxBadCommands: config.smtp.maxBadCommands,
    crlfOnly: true,
    open: (conn, context) => ({ conn, context, greeting: null, user: null, transaction: null, submission: role === "submission", lmtp: role === "lmtp" }),
    greet(s) {
      reply(s, 220, null, `${config.hostname} ${role === "lmtp" ? "LMTP" : "ESMTP"} mailconform ready`);
    },
    // RFC 5321 §2.4: commands are ASCII; RFC 6531 §3.3 lets UTF-8 in, never octets that are not UTF-8.
    parse: (line) => {
      if (!isUtf8(line)) throw new ClientError("syntax", "command line is not valid UTF-8");
      return splitCommandLine(line);
    },
    state: smtpState,
    tlsRequired: () => config.smtp.requireTls,
    // A client gone in the middle of BDAT leaves chunks counted in the memory budget.
    end: endTransaction,
  };
}

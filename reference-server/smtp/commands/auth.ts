// AUTH: a SASL exchange with "334 <base64>" challenges. Refused during a
// mail transaction and after a successful AUTH (503); plaintext mechanisms
// need TLS unless policy allows them here (538).
// Standards: RFC 4954 §4 (auth-command, "*" cancel → 501, 535 5.7.8, 503 twice),
// §6 (status codes), RFC 4422.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { authenticateCommand } from "../../auth/command.ts";
import type { SmtpSession } from "../states.ts";
import { formatReply, reply } from "../vocabulary.ts";

export const auth: CommandRow<SmtpSession> = {
  verb: "AUTH",
  // Not before EHLO (AUTH is an EHLO extension) and not inside a transaction (RFC 4954 §4).
  states: ["greeted"],
  flags: { redactArgs: true },
  async handle(s, command) {
    if (s.user !== null) throw new ClientError("bad-sequence", "already authenticated");
    s.user = await authenticateCommand(s.conn, s.context, command.args, {
      writeChallenge: (data) => s.conn.write(formatReply(334, null, data)),
      responseTimeoutMs: s.context.config.smtp.commandTimeoutMs,
      encryptionRequired: "encryption required for requested authentication mechanism",
    });
    reply(s, 235, "2.7.0", "authentication successful");
  },
};

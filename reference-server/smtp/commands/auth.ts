// AUTH: a SASL exchange with "334 <base64>" challenges. Refused during a
// mail transaction and after a successful AUTH (503); plaintext mechanisms
// need TLS unless policy allows them here (538).
// Standards: RFC 4954 §4 (auth-command, "*" cancel → 501, 535 5.7.8, 503 twice),
// §6 (status codes), RFC 4422.

import type { CommandRow } from "../../core/command-table.ts";
import { LINE_TOO_LONG } from "../../core/connection.ts";
import { ClientError, LimitExceeded } from "../../core/errors.ts";
import { findMechanism, plaintextAuthAllowed } from "../../auth/mechanisms.ts";
import { runSasl } from "../../auth/sasl.ts";
import { MAX_SASL_LINE_OCTETS } from "../limits.ts";
import type { SmtpSession } from "../states.ts";
import { formatReply, reply } from "../vocabulary.ts";

export const auth: CommandRow<SmtpSession> = {
  verb: "AUTH",
  // Not before EHLO (AUTH is an EHLO extension) and not inside a transaction (RFC 4954 §4).
  states: ["greeted"],
  flags: { redactArgs: true },
  async handle(s, command) {
    if (s.user !== null) throw new ClientError("bad-sequence", "already authenticated");
    // auth-command = "AUTH" SP sasl-mech [SP initial-response]
    const match = /^([A-Za-z0-9_-]{1,20})(?: (\S+))?$/.exec(command.args);
    if (!match) throw new ClientError("syntax", "expected AUTH <mechanism> [initial-response]");
    const { config, users } = s.context;
    const mechanism = findMechanism(match[1]!, config, users);
    if (!mechanism) throw new ClientError("auth-mechanism", `mechanism ${match[1]!.toUpperCase()} not available`);
    if (mechanism.plaintext && !plaintextAuthAllowed(s.conn, config)) {
      throw new ClientError("encryption-required", "encryption required for requested authentication mechanism");
    }
    s.user = await runSasl({
      mechanism,
      initialResponse: match[2] ?? null,
      users,
      hostname: config.hostname,
      failureDelayMs: config.auth.failureDelayMs,
      transport: {
        async challenge(data) {
          s.conn.write(formatReply(334, null, data.toString("base64")));
          const line = await s.conn.readLine(MAX_SASL_LINE_OCTETS, config.smtp.commandTimeoutMs);
          if (line === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "authentication line too long");
          return line.bytes.toString("latin1");
        },
      },
    });
    reply(s, 235, "2.7.0", "authentication successful");
  },
};

// AUTH: SASL with "+ <base64>" continuations; "*" cancels. A bare AUTH lists
// the mechanisms (the RFC 1734 form some clients still probe with).
// Standards: RFC 5034 §4, RFC 3206 ([AUTH]), RFC 2449 §8.1.1, RFC 4422.

import type { CommandRow } from "../../core/command-table.ts";
import { LINE_TOO_LONG } from "../../core/connection.ts";
import { ClientError, LimitExceeded } from "../../core/errors.ts";
import { findMechanism, plaintextAuthAllowed, usableMechanisms } from "../../auth/mechanisms.ts";
import { runSasl } from "../../auth/sasl.ts";
import { MAX_SASL_LINE_OCTETS } from "../limits.ts";
import { openMaildrop } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { okList } from "../vocabulary.ts";

export const auth: CommandRow<Pop3Session, Pop3State> = {
  verb: "AUTH",
  states: ["authorization"],
  flags: { redactArgs: true },
  async handle(s, command) {
    const { config, users } = s.context;
    if (command.args === "") {
      okList(s, "SASL mechanisms follow", usableMechanisms(s.conn, config, users).map((m) => m.name));
      return;
    }
    // "AUTH" SP sasl-mech [SP (base64 / "=")]
    const match = /^([A-Za-z0-9_-]{1,20})(?: (\S+))?$/.exec(command.args);
    if (!match) throw new ClientError("syntax", "expected AUTH <mechanism> [initial-response]");
    const mechanism = findMechanism(match[1]!, config, users);
    if (!mechanism) throw new ClientError("auth-mechanism", `mechanism ${match[1]!.toUpperCase()} not available`);
    if (mechanism.plaintext && !plaintextAuthAllowed(s.conn, config)) {
      throw new ClientError("encryption-required", "plaintext authentication disallowed without TLS, use STLS");
    }
    s.pendingUser = null;
    const user = await runSasl({
      mechanism,
      initialResponse: match[2] ?? null,
      users,
      hostname: config.hostname,
      failureDelayMs: config.auth.failureDelayMs,
      transport: {
        async challenge(data) {
          s.conn.write(`+ ${data.toString("base64")}\r\n`);
          const line = await s.conn.readLine(MAX_SASL_LINE_OCTETS, config.pop3.idleTimeoutMs);
          if (line === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "authentication line too long");
          return line.bytes.toString("latin1");
        },
      },
    });
    await openMaildrop(s, user);
  },
};

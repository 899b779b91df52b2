// AUTHENTICATE mechanism [initial-response]: SASL with "+ <base64>"
// challenges; "*" cancels (BAD). The initial response (SASL-IR) saves a round trip.
// Standards: RFC 3501 §6.2.2, RFC 4959 (SASL-IR), RFC 4422.

import type { CommandRow } from "../../core/command-table.ts";
import { LINE_TOO_LONG } from "../../core/connection.ts";
import { ClientError, LimitExceeded } from "../../core/errors.ts";
import { findMechanism, plaintextAuthAllowed, saslChannel } from "../../auth/mechanisms.ts";
import { loginGuard } from "../../auth/penalty.ts";
import { runSasl } from "../../auth/sasl.ts";
import { enterAuthenticated } from "../authenticated.ts";
import { argsOf } from "../grammar/command-args.ts";
import { MAX_COMMAND_LINE_OCTETS } from "../limits.ts";
import type { ImapSession, ImapState } from "../states.ts";

export const authenticate: CommandRow<ImapSession, ImapState> = {
  verb: "AUTHENTICATE",
  states: ["not-authenticated"],
  flags: { redactArgs: true },
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]   (RFC 4959)
    const name = r.atom("a mechanism name");
    let initial: string | null = null;
    // base64 may be empty in the ABNF (RFC 3501 §9), and a common terminal
    // client sends "AUTHENTICATE CRAM-MD5 " with nothing after the space:
    // like Dovecot and Cyrus we read an empty field as no initial response
    // ("=" is how a client says "empty"). Whatever does follow stays strict.
    if (r.accept(" ") && !r.atEnd) initial = r.run((c) => c > 0x20 && c < 0x7f, "an initial response");
    r.end();
    const { config, users } = s.context;
    const mechanism = findMechanism(name, s.conn, config, users);
    if (!mechanism) throw new ClientError("auth-mechanism", `mechanism ${name.toUpperCase().slice(0, 20)} not available`);
    if (mechanism.plaintext && !plaintextAuthAllowed(s.conn, config)) {
      throw new ClientError("encryption-required", "plaintext authentication needs TLS, use STARTTLS first");
    }
    const user = await runSasl({
      mechanism,
      initialResponse: initial,
      users,
      hostname: config.hostname,
      failureDelayMs: config.auth.failureDelayMs,
      guard: loginGuard(s.context, s.conn.remoteAddress),
      channel: saslChannel(s.conn),
      transport: {
        async challenge(data) {
          s.conn.write(`+ ${data.toString("base64")}\r\n`);
          const line = await s.conn.readLine(MAX_COMMAND_LINE_OCTETS, config.imap.idleTimeoutMs);
          if (line === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "authentication line too long");
          return line.bytes.toString("latin1");
        },
      },
    });
    await enterAuthenticated(s, command, user);
  },
};

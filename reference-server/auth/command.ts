// The server side of an AUTH / AUTHENTICATE command, shared by SMTP, POP3 and
// IMAP: parse "mechanism [initial-response]", apply the plaintext-over-TLS
// policy, then run the SASL exchange over the session's line reader. Each
// protocol only says how a challenge line looks and what a refusal says.
// Standards: RFC 4954 §4, RFC 5034 §4, RFC 3501 §6.2.2, RFC 4959 (SASL-IR), RFC 4422.

import type { Connection } from "../core/connection.ts";
import { LINE_TOO_LONG } from "../core/connection.ts";
import type { ServerContext } from "../core/context.ts";
import { ClientError, LimitExceeded } from "../core/errors.ts";
import { findMechanism, plaintextAuthAllowed, saslChannel } from "./mechanisms.ts";
import { loginGuard } from "./penalty.ts";
import { runSasl } from "./sasl.ts";

// RFC 4954 §4: an AUTH command line and each SASL response may be 12288
// octets; RFC 5034 and RFC 3501 set no figure, so every protocol uses this one.
export const MAX_SASL_LINE_OCTETS = 12288;

export interface SaslCommandFraming {
  /** Write one challenge in the protocol's form: "334 <base64>" or "+ <base64>". */
  writeChallenge(base64: string): void;
  /** How long to wait for each client response. */
  responseTimeoutMs: number;
  /** The refusal text when a plaintext mechanism needs TLS first. */
  encryptionRequired: string;
}

/**
 * Authenticate from the command's arguments; resolves to the user's name or
 * throws ClientError (syntax, auth-mechanism, encryption-required,
 * auth-failed, auth-cancelled) for the protocol's vocabulary to answer.
 */
export async function authenticateCommand(conn: Connection, context: ServerContext, args: string, framing: SaslCommandFraming): Promise<string> {
  const { config, users } = context;
  // auth-command = "AUTH" SP sasl-mech [SP initial-response]   (RFC 4954 §4)
  const match = /^([A-Za-z0-9_-]{1,20})(?: (\S+))?$/.exec(args);
  if (!match) throw new ClientError("syntax", "expected <mechanism> [initial-response]");
  const mechanism = findMechanism(match[1]!, conn, config, users);
  if (!mechanism) throw new ClientError("auth-mechanism", `mechanism ${match[1]!.toUpperCase()} not available`);
  if (mechanism.plaintext && !plaintextAuthAllowed(conn, config)) {
    throw new ClientError("encryption-required", framing.encryptionRequired);
  }
  return runSasl({
    mechanism,
    initialResponse: match[2] ?? null,
    users,
    hostname: config.hostname,
    failureDelayMs: config.auth.failureDelayMs,
    guard: loginGuard(context, conn.remoteAddress),
    channel: saslChannel(conn),
    transport: {
      async challenge(data) {
        framing.writeChallenge(data.toString("base64"));
        const line = await conn.readLine(MAX_SASL_LINE_OCTETS, framing.responseTimeoutMs);
        if (line === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "authentication line too long");
        return line.bytes.toString("latin1");
      },
    },
  });
}

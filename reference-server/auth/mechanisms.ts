// Which SASL mechanisms a session may use right now: the configured list,
// minus plaintext ones on a clear channel where policy forbids them, minus
// SCRAM -PLUS on a clear channel (nothing to bind to), minus CRAM-MD5 and
// SCRAM when some password is stored only as a hash.
// Standards: RFC 4954 §4 (538), RFC 2595 §2.1, RFC 8314 §5.1, RFC 5802 §5.1 / RFC 7677 §3 (iteration count), RFC 5802 §6 (-PLUS).

import type { ServerConfig } from "../config/types.ts";
import type { Connection } from "../core/connection.ts";
import { isLoopback } from "../core/connection.ts";
import { cramMd5 } from "./cram-md5.ts";
import type { UserDirectory } from "../users/directory.ts";
import { login } from "./login.ts";
import { plain } from "./plain.ts";
import type { SaslChannel, SaslMechanism } from "./sasl.ts";
import { scramMechanism } from "./scram.ts";

/** Every mechanism the server knows, in the order they are advertised; SCRAM with the configured iteration count. */
const known = new WeakMap<ServerConfig["auth"], readonly SaslMechanism[]>();
function allMechanisms(config: ServerConfig): readonly SaslMechanism[] {
  let all = known.get(config.auth);
  if (all === undefined) {
    const iterations = config.auth.scramIterations;
    // A server offering -PLUS "supports channel binding": then a "y" flag on a TLS session is a downgrade (RFC 5802 §6).
    const offers = (name: "SCRAM-SHA-1-PLUS" | "SCRAM-SHA-256-PLUS") => config.auth.mechanisms.includes(name);
    all = [
      plain,
      login,
      cramMd5,
      scramMechanism("SCRAM-SHA-1", iterations, offers("SCRAM-SHA-1-PLUS")),
      scramMechanism("SCRAM-SHA-256", iterations, offers("SCRAM-SHA-256-PLUS")),
      scramMechanism("SCRAM-SHA-1-PLUS", iterations, true),
      scramMechanism("SCRAM-SHA-256-PLUS", iterations, true),
    ];
    known.set(config.auth, all);
  }
  return all;
}

/** Mechanisms that need the password itself on the server side (a challenge-response over it). */
const needsPlaintext = (m: SaslMechanism): boolean => m === cramMd5 || m.name.startsWith("SCRAM-");

/** Whether a password may cross this connection in the clear (PLAIN, LOGIN, USER/PASS, IMAP LOGIN). */
export function plaintextAuthAllowed(conn: Connection, config: ServerConfig): boolean {
  if (conn.tls) return true;
  const policy = config.auth.plaintextWithoutTls;
  return policy === "always" || (policy === "loopback" && isLoopback(conn.remoteAddress));
}

/** Mechanisms the server offers at all (configured and workable with the stored passwords). */
export function configuredMechanisms(config: ServerConfig, users: UserDirectory): SaslMechanism[] {
  return allMechanisms(config).filter((m) => config.auth.mechanisms.includes(m.name as never) && (!needsPlaintext(m) || users.allPlaintext));
}

/** Mechanisms to advertise and accept on this connection now. */
export function usableMechanisms(conn: Connection, config: ServerConfig, users: UserDirectory): SaslMechanism[] {
  const clearOk = plaintextAuthAllowed(conn, config);
  return configuredMechanisms(config, users).filter((m) => (clearOk || !m.plaintext) && (conn.tls || !m.bindsChannel));
}

/** The connection's TLS channel for SCRAM's channel binding; null on a clear channel. */
export function saslChannel(conn: Connection): SaslChannel | null {
  return conn.tls ? { binding: (type) => conn.channelBinding(type) } : null;
}

/** A mechanism the client may ask for on this connection; a -PLUS one only over TLS. */
export function findMechanism(name: string, conn: Connection, config: ServerConfig, users: UserDirectory): SaslMechanism | undefined {
  const upper = name.toUpperCase();
  return configuredMechanisms(config, users).find((m) => m.name === upper && (conn.tls || !m.bindsChannel));
}

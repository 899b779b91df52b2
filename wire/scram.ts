// The SCRAM algorithm and message syntax shared by the runner's client and the
// reference server: Hi() (PBKDF2 with HMAC), the keys, proof and signatures,
// saslname quoting and the attribute lists of the four messages. Both sides
// are checked against the RFC 5802 §5 and RFC 7677 §3 examples.
// Standards: RFC 5802 §2.2 (Hi), §3 (keys), §4 (-PLUS names), §5.1 (attributes), §7 (ABNF); RFC 7677 §3 (SHA-256).

import { createHash, createHmac, pbkdf2, timingSafeEqual } from "node:crypto";

export type ScramHash = "sha1" | "sha256";

/** The mechanisms and their hash functions (RFC 5802 §4, RFC 7677 §3); a -PLUS name binds to the TLS channel (RFC 5802 §6). */
export const SCRAM_MECHANISMS = {
  "SCRAM-SHA-1": "sha1",
  "SCRAM-SHA-256": "sha256",
  "SCRAM-SHA-1-PLUS": "sha1",
  "SCRAM-SHA-256-PLUS": "sha256",
} as const satisfies Record<string, ScramHash>;
export type ScramMechanismName = keyof typeof SCRAM_MECHANISMS;

/** "The -PLUS suffix is used only when the server supports channel binding to the external channel" (RFC 5802 §4). */
export function bindsChannel(mechanism: ScramMechanismName): boolean {
  return mechanism.endsWith("-PLUS");
}

const HASH_OCTETS: Record<ScramHash, number> = { sha1: 20, sha256: 32 };

/** Hi(str, salt, i): PBKDF2 with HMAC() as PRF and dkLen the hash size (RFC 5802 §2.2). */
export function hi(hash: ScramHash, normalizedPassword: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(Buffer.from(normalizedPassword, "utf8"), salt, iterations, HASH_OCTETS[hash], hash, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export function hmac(hash: ScramHash, key: Buffer, text: string | Buffer): Buffer {
  return createHmac(hash, key).update(text).digest();
}

export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** What a server stores for a user, and what a client derives from the password (RFC 5802 §3). */
export interface ScramKeys {
  clientKey: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function keysFromSaltedPassword(hash: ScramHash, saltedPassword: Buffer): ScramKeys {
  const clientKey = hmac(hash, saltedPassword, "Client Key");
  return { clientKey, storedKey: createHash(hash).update(clientKey).digest(), serverKey: hmac(hash, saltedPassword, "Server Key") };
}

/** AuthMessage := client-first-message-bare + "," + server-first-message + "," + client-final-message-without-proof. */
export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): string {
  return `${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
}

/** ClientProof := ClientKey XOR HMAC(StoredKey, AuthMessage). */
export function clientProof(hash: ScramHash, keys: ScramKeys, message: string): Buffer {
  return xor(keys.clientKey, hmac(hash, keys.storedKey, message));
}

/** ServerSignature := HMAC(ServerKey, AuthMessage). */
export function serverSignature(hash: ScramHash, serverKey: Buffer, message: string): Buffer {
  return hmac(hash, serverKey, message);
}

/** The server's check: ClientKey recovered from the proof must hash to StoredKey (RFC 5802 §3). */
export function proofMatches(hash: ScramHash, storedKey: Buffer, message: string, proof: Buffer): boolean {
  if (proof.length !== storedKey.length) return false;
  const recoveredClientKey = xor(proof, hmac(hash, storedKey, message));
  return timingSafeEqual(createHash(hash).update(recoveredClientKey).digest(), storedKey);
}

/** saslname: "," and "=" are sent as "=2C" and "=3D" (RFC 5802 §5.1). */
export function encodeSaslname(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C");
}

/** The name, or null when "=" is followed by anything but "2C" / "3D" ("the server MUST fail the authentication"). */
export function decodeSaslname(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null;
  return text.replace(/=2C/g, ",").replace(/=3D/g, "=");
}

/** printable = %x21-2B / %x2D-7E: what a nonce is made of (RFC 5802 §7). */
export const NONCE = /^[\x21-\x2B\x2D-\x7E]+$/;
/** base64 in its canonical form (RFC 5802 §2.1, §7). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/** One attr-val ("r=abc"): a single ASCII letter, "=", the value (RFC 5802 §7). */
export interface Attribute {
  name: string;
  value: string;
}

/** Split a message into its attributes; null when any part is not ALPHA "=" value. */
export function parseAttributes(message: string): Attribute[] | null {
  const attributes: Attribute[] = [];
  for (const part of message.split(",")) {
    const match = /^([A-Za-z])=(.+)$/s.exec(part);
    if (!match) return null;
    attributes.push({ name: match[1]!, value: match[2]! });
  }
  return attributes;
}

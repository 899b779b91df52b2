// Stored password forms and their verification: `plain:<text>` for
// development configs and `scrypt$N$r$p$<salt>$<hash>` (base64) for real
// ones. Comparisons are constant-time. The user directory calls these.
// Standards: RFC 7914 (scrypt).

import { randomBytes, scrypt as scryptCallback, timingSafeEqual, createHash, type ScryptOptions } from "node:crypto";

const PLAIN_PREFIX = "plain:";
// RFC 7914 §2 parameters for interactive logins (N=2^14, r=8, p=1), ~50 ms here.
const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 };
const SCRYPT_KEY_OCTETS = 32;
// Refuse stored hashes whose cost would let a config file exhaust memory (128·N·r octets).
const MAX_SCRYPT_MEMORY_OCTETS = 256 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string, params = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT_KEY_OCTETS, { ...params, maxmem: MAX_SCRYPT_MEMORY_OCTETS });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** The password itself when stored as `plain:` (APOP and CRAM-MD5 need it), else null. */
export function plaintextOf(stored: string): string | null {
  return stored.startsWith(PLAIN_PREFIX) ? stored.slice(PLAIN_PREFIX.length) : null;
}

export async function verifyPassword(stored: string, attempt: string): Promise<boolean> {
  const plain = plaintextOf(stored);
  if (plain !== null) return constantTimeEqual(Buffer.from(plain, "utf8"), Buffer.from(attempt, "utf8"));
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  try {
    const actual = await scrypt(attempt, salt, expected.length, { N, r, p, maxmem: MAX_SCRYPT_MEMORY_OCTETS });
    return timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/**
 * Equal-time comparison of two secrets of any length: both are hashed first,
 * so neither the content nor the length leaks through timing.
 */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

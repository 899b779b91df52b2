// The bundled server's development certificate, kept between runs: every run
// starts the server over a fresh data directory, where it would otherwise
// generate a new key pair (importing the generator and signing cost ~0.15 s of
// a one-test run's start-up). The pair is copied into the data directory
// before the server starts (it reads <data>/tls/dev-*.pem as its own) and
// saved after a start that generated one. The cache is an optimisation only:
// any error, a missing or near-expiry certificate, or MAILCONFORM_NO_CACHE
// means the server generates one as before.
// Standards: XDG Base Directory Specification 0.8 (XDG_CACHE_HOME), RFC 5280 §4.1.2.5 (validity).

import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { cacheDisabled, userCacheDir } from "../runner/suite/cache.ts";

/** A cached certificate that expires sooner than this is replaced by a fresh one. */
const MIN_REMAINING_VALIDITY_MS = 30 * 86_400_000;
const CERT_FILE = "dev-cert.pem";
const KEY_FILE = "dev-key.pem";

function cacheDir(hostname: string, env: NodeJS.ProcessEnv): string | undefined {
  if (cacheDisabled(env)) return undefined;
  const suites = userCacheDir(env);
  // One pair per host name: the certificate names the server's hostname.
  return suites === undefined ? undefined : path.join(path.dirname(suites), "dev-tls", hostname.replace(/[^A-Za-z0-9.-]/g, "_"));
}

/** The pair is usable when it matches (two runs saving at once could mix halves) and is valid for a while yet. */
function usable(certPem: string, keyPem: string, now: number): boolean {
  try {
    const cert = new X509Certificate(certPem);
    return cert.checkPrivateKey(createPrivateKey(keyPem)) && Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) - now > MIN_REMAINING_VALIDITY_MS;
  } catch {
    return false;
  }
}

/** Writes a cached, still valid pair into `<dataDir>/tls/`; false when there is none (the server then generates one). */
export async function seedDevCertificate(dataDir: string, hostname: string, env: NodeJS.ProcessEnv = process.env, now = Date.now()): Promise<boolean> {
  const dir = cacheDir(hostname, env);
  if (dir === undefined) return false;
  try {
    const [cert, key] = await Promise.all([readFile(path.join(dir, CERT_FILE), "utf8"), readFile(path.join(dir, KEY_FILE), "utf8")]);
    if (!usable(cert, key, now)) return false;
    const tls = path.join(dataDir, "tls");
    await mkdir(tls, { recursive: true, mode: 0o700 });
    await writeFile(path.join(tls, KEY_FILE), key, { mode: 0o600 });
    await writeFile(path.join(tls, CERT_FILE), cert, { mode: 0o644 });
    return true;
  } catch {
    return false;
  }
}

/** Saves the pair the server generated in `<dataDir>/tls/` for the next run (private key mode 0600, written whole then renamed). */
export async function saveDevCertificate(dataDir: string, hostname: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const dir = cacheDir(hostname, env);
  if (dir === undefined) return;
  try {
    const [cert, key] = await Promise.all([readFile(path.join(dataDir, "tls", CERT_FILE), "utf8"), readFile(path.join(dataDir, "tls", KEY_FILE), "utf8")]);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const suffix = `.tmp-${process.pid}`;
    await writeFile(path.join(dir, KEY_FILE) + suffix, key, { mode: 0o600 });
    await writeFile(path.join(dir, CERT_FILE) + suffix, cert, { mode: 0o600 });
    await rename(path.join(dir, KEY_FILE) + suffix, path.join(dir, KEY_FILE));
    await rename(path.join(dir, CERT_FILE) + suffix, path.join(dir, CERT_FILE));
  } catch {
    // No cache this time: the next run generates again.
  }
}

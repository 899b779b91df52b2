// The server's TLS material: the configured PEM files, or a development
// certificate generated into <data>/tls/ at first start and reused after
// (so a client that pinned it keeps working). Listeners and STARTTLS/STLS use
// the SecureContext made here.
// Standards: RFC 8314 §4 (TLS versions), RFC 5280 (certificate), RFC 6125 (names).

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tls from "node:tls";
import type { ServerConfig } from "../config/types.ts";

export interface TlsMaterial {
  /** For upgrading a connection in place (STARTTLS, STLS). */
  context: tls.SecureContext;
  /** For tls.createServer (implicit TLS), which takes PEM rather than a context. */
  options: tls.TlsOptions;
  cert: string;
  certFile: string | null;
  generated: boolean;
}

// A development certificate outlives any test run but not a forgotten deployment.
const DEV_CERT_VALIDITY_DAYS = 825;

export async function loadTlsMaterial(config: ServerConfig, dataDir: string): Promise<TlsMaterial> {
  if (config.tls) {
    const [cert, key] = await Promise.all([readFile(config.tls.cert, "utf8"), readFile(config.tls.key, "utf8")]);
    return { ...contextAndOptions(cert, key), cert, certFile: config.tls.cert, generated: false };
  }
  const dir = join(dataDir, "tls");
  const certFile = join(dir, "dev-cert.pem");
  const keyFile = join(dir, "dev-key.pem");
  try {
    const [cert, key] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8")]);
    return { ...contextAndOptions(cert, key), cert, certFile, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const { cert, key } = await generateDevCertificate(config.hostname);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write under temporary names and rename, so a crash never leaves half a pair.
  await writeFile(keyFile + ".tmp", key, { mode: 0o600 });
  await writeFile(certFile + ".tmp", cert, { mode: 0o644 });
  await rename(keyFile + ".tmp", keyFile);
  await rename(certFile + ".tmp", certFile);
  return { ...contextAndOptions(cert, key), cert, certFile, generated: true };
}

export async function generateDevCertificate(hostname: string): Promise<{ cert: string; key: string }> {
  // Loaded on first use: selfsigned pulls in pkijs and @peculiar/x509 (1+ s
  // to import under load), and a server with configured or saved PEM files never needs them.
  const { generate } = await import("selfsigned");
  const now = new Date();
  const result = await generate([{ name: "commonName", value: hostname }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + DEV_CERT_VALIDITY_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: hostname },
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}

function contextAndOptions(cert: string, key: string): { context: tls.SecureContext; options: tls.TlsOptions } {
  // RFC 8314 §4.1: TLS 1.2 or later.
  const options: tls.SecureContextOptions = { cert, key, minVersion: "TLSv1.2" };
  return { context: tls.createSecureContext(options), options };
}

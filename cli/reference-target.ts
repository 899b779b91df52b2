// With no target given, the run tests the bundled reference server, started
// in-process on ephemeral ports over a fresh temporary Maildir, and stopped
// (its data removed) when the run ends. Only cli/ may import reference-server/.
// The plain ports are the endpoints (the suites exercise STARTTLS themselves);
// the implicit-TLS ports serve connections a test declares `tls: implicit`, and
// the submission port (RFC 6409) those it declares `endpoint: submission`.
// Besides alice and bob it has a pair of users for every further job slot
// (alice2/bob2 …), so `run` can give each of BUNDLED_JOBS tests running at
// once users of their own (runner/plan/user-sets.ts).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AcquiredTarget } from "../runner/run/target-source.ts";

const BUNDLED_AUTH_FAILURE_DELAY_MS = 50;
/** Tests run at once against the bundled server when --jobs is not given. */
export const BUNDLED_JOBS = 8;
/** Users each job slot gets: the most any bundled suite test needs (${user2}). */
const USERS_PER_SLOT = 2;

export async function startReferenceTarget(): Promise<AcquiredTarget> {
  const { startServer } = await import("../reference-server/serve.ts");
  const { defaultConfig } = await import("../reference-server/config/defaults.ts");
  const config = defaultConfig();
  // A throwaway server on loopback for one run has no password to guess: the
  // failed-login delay (a defence against guessing) would only add about a
  // second to every wrong-password test. Kept, but short, so it still shows; the
  // shared penalty (which would make the next login of that account wait) is off.
  config.auth = { ...config.auth, failureDelayMs: BUNDLED_AUTH_FAILURE_DELAY_MS, penaltyMaxMs: 0 };
  config.users = [...config.users, ...slotUsers(config.users, config.domains[0]!)];
  // RFC 9208: limits far above what any suite stores, so GETQUOTA reports usage and limits (the suites cannot fill them).
  config.imap = { ...config.imap, quota: { storageKiB: 1024 * 1024, messages: 100_000 } };
  const dataDir = await mkdtemp(path.join(tmpdir(), "mailconform-reference-"));
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ portBase: "ephemeral", dataDir, config });
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    target: {
      name: "reference",
      host: server.host,
      domain: server.domain,
      // The reference server's certificate is a self-signed development one.
      insecure: true,
      // Users configured with a hashed password cannot log in from a test; the defaults are all plain.
      users: server.users.flatMap((u) => (u.password === undefined ? [] : [{ login: u.name, password: u.password, address: u.address }])),
      endpoints: {
        smtp: { port: server.ports.smtp, tls: "none", implicitTlsPort: server.ports.smtps },
        pop3: { port: server.ports.pop3, tls: "none", implicitTlsPort: server.ports.pop3s },
        lmtp: { port: server.ports.lmtp, tls: "none" },
        ...(server.ports.imap
          ? { imap: { port: server.ports.imap, tls: "none" as const, ...(server.ports.imaps ? { implicitTlsPort: server.ports.imaps } : {}) } }
          : {}),
      },
      // Connections declared `endpoint: submission` (suites/smtp/submission.yaml) upgrade with STARTTLS first, as submission clients do.
      submission: { port: server.ports.submission, tls: "starttls" },
    },
    release: async () => {
      try {
        await server.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** alice2, bob2, alice3 … up to BUNDLED_JOBS slots of USERS_PER_SLOT users, after the configured ones. */
function slotUsers(base: readonly { name: string }[], domain: string) {
  const names = base.slice(0, USERS_PER_SLOT).map((u) => u.name);
  const extra = [];
  for (let slot = 2; slot <= BUNDLED_JOBS; slot++) {
    for (const name of names) extra.push({ name: `${name}${slot}`, password: `plain:${name}${slot}-pw`, address: `${name}${slot}@${domain}`, aliases: [] });
  }
  return extra;
}

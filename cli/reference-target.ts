// With no target given, the run tests the bundled reference server, started
// on ephemeral ports over a fresh temporary Maildir (in memory when a tmpfs
// has room: throwawayDataParent), and stopped (its data removed) when the run
// ends. Only cli/ may import reference-server/.
// `run` and `stress` start it on a worker thread of its own
// (startReferenceTargetThread, cli/reference-worker.ts): runner and server
// then use two cores instead of taking turns on one event loop.
// startReferenceTarget keeps it in this thread, for callers (tests) that
// want one event loop.
// The plain ports are the endpoints (the suites exercise STARTTLS themselves);
// the implicit-TLS ports serve connections a test declares `tls: implicit`, and
// the submission port (RFC 6409) those it declares `endpoint: submission`.
// LMTP is dialled on the Unix-domain socket the server listens on in its data
// directory (RFC 2033 §5: local delivery), so the lmtp suites run over it; the TCP port stays open too.
// Besides alice and bob it has a pair of users for every further job slot
// (alice2/bob2 …), so `run` can give each of BUNDLED_JOBS tests running at
// once users of their own (runner/plan/user-sets.ts).
// Standards: none (process structure).

import { constants } from "node:fs";
import { access, mkdtemp, rm, statfs } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AcquiredTarget } from "../runner/run/target-source.ts";
import type { Target } from "../runner/model/target.ts";
import type { ServerConfig } from "../reference-server/config/types.ts";

const BUNDLED_AUTH_FAILURE_DELAY_MS = 50;
/**
 * Tests run at once against the bundled server when --jobs is not given. More
 * than its two cores: many tests spend much of their time waiting by design
 * (silences, waits, failed-login delays), which others' work then fills.
 */
export const BUNDLED_JOBS = 16;
/** Users each job slot gets: the most any bundled suite test needs (${user2}). */
const USERS_PER_SLOT = 2;
/**
 * A user whose quota holds no message: the server accepts it at RCPT and its
 * delivery then fails (552 5.2.2), the target's smtp and lmtp
 * `failing-recipient` (suites/smtp/dsn.yaml failure reports, suites/lmtp).
 * Not one of the target's users: no test logs in as it.
 */
const OVER_QUOTA_USER = "full";
/** Linux's sun_path holds 108 octets with the terminating NUL. */
const MAX_SOCKET_PATH_OCTETS = 107;
/** A worker that neither says ready nor fails in this time is stuck (start-up takes well under a second). */
const WORKER_START_TIMEOUT_MS = 60_000;
/** After "close", a worker not closed in this time is terminated anyway. */
const WORKER_STOP_TIMEOUT_MS = 10_000;
/** statfs f_type of tmpfs and ramfs (linux/magic.h): file systems in memory. */
const MEMORY_FS_TYPES: ReadonlySet<number> = new Set([0x01021994, 0x858458f6]);
/** Linux's memory file system for everyone; tried after TMPDIR. */
const SHARED_MEMORY_DIR = "/dev/shm";
/** A memory file system with less room than this is passed over (a full run stores about 2 MiB; a long `stress` far more). */
const MEMORY_FS_MIN_FREE_OCTETS = 1024 * 1024 * 1024;

/** What of a started server the target is built from: plain data, so a worker thread can post it. */
export interface StartedServer {
  host: string;
  domain: string;
  users: { name: string; password?: string; address: string }[];
  ports: { smtp: number; pop3: number; smtps: number; pop3s: number; submission: number; lmtp: number; imap?: number; imaps?: number };
  /** LMTP's Unix-domain socket, null when the data directory's path is too long for one. */
  lmtpSocket: string | null;
}

/** The reference server's configuration for a run: the defaults, shaped for a throwaway server with a job slot's users. */
export async function bundledConfig(dataDir: string): Promise<ServerConfig> {
  const { defaultConfig } = await import("../reference-server/config/defaults.ts");
  const config = defaultConfig();
  // A throwaway server on loopback for one run has no password to guess: the
  // failed-login delay (a defence against guessing) would only add about a
  // second to every wrong-password test. Kept, but short, so it still shows; the
  // shared penalty (which would make the next login of that account wait) is off.
  config.auth = { ...config.auth, failureDelayMs: BUNDLED_AUTH_FAILURE_DELAY_MS, penaltyMaxMs: 0 };
  config.users = [...config.users, ...slotUsers(config.users, config.domains[0]!)];
  // Its data directory is deleted when the run ends, so nothing it stores needs to survive a crash: no fsync (store/durable.ts).
  config.store = { durable: false };
  // RFC 9208: limits far above what any suite stores, so GETQUOTA reports usage and limits (the suites cannot fill them).
  config.imap = { ...config.imap, quota: { storageKiB: 1024 * 1024, messages: 100_000 } };
  const domain = config.domains[0]!;
  config.users.push({ name: OVER_QUOTA_USER, password: `plain:${OVER_QUOTA_USER}-pw`, address: `${OVER_QUOTA_USER}@${domain}`, aliases: [], quota: { storageKiB: null, messages: 0 } });
  // A socket path must fit sun_path (108 octets); a data directory deeper than that keeps LMTP on TCP only.
  const lmtpSocket = path.join(dataDir, "lmtp.sock");
  if (Buffer.byteLength(lmtpSocket) <= MAX_SOCKET_PATH_OCTETS) config.listen = { ...config.listen, lmtpSocket };
  return config;
}

/** The bundled server in this thread: one event loop for runner and server. */
export async function startReferenceTarget(): Promise<AcquiredTarget> {
  const { startServer } = await import("../reference-server/serve.ts");
  const dataDir = await mkdtemp(path.join(await throwawayDataParent(), "mailconform-reference-"));
  const config = await bundledConfig(dataDir);
  const { saveDevCertificate, seedDevCertificate } = await import("./dev-certificate-cache.ts");
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    const seeded = await seedDevCertificate(dataDir, config.hostname);
    server = await startServer({ portBase: "ephemeral", dataDir, config });
    if (!seeded) await saveDevCertificate(dataDir, config.hostname);
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    target: referenceTarget(server),
    disposable: true,
    release: async () => {
      try {
        await server.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The bundled server on a worker thread of its own (cli/reference-worker.ts).
 * It ends with this process whatever happens; a server that dies during the
 * run says so on stderr (its tests then fail to connect).
 */
export async function startReferenceTargetThread(err: { write(text: string): unknown } = process.stderr): Promise<AcquiredTarget> {
  const { Worker } = await import("node:worker_threads");
  const dataDir = await mkdtemp(path.join(await throwawayDataParent(), "mailconform-reference-"));
  // Run from the sources, the worker needs the TypeScript loader this thread has (a thread inherits no registered loader, nor --import's).
  const own = new URL(import.meta.url);
  const fromSources = own.pathname.endsWith(".ts");
  const entry = new URL(`reference-worker${fromSources ? ".ts" : ".js"}`, own).href;
  const loader = fromSources ? import.meta.resolve("tsx/esm/api") : null;
  const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { entry, loader, dataDir } });
  let stopping = false;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    worker.once("exit", () => {
      exited = true;
      resolve();
    }),
  );
  let server: StartedServer;
  try {
    server = await new Promise<StartedServer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the reference server's worker did not start within ${WORKER_START_TIMEOUT_MS} ms`)), WORKER_START_TIMEOUT_MS);
      worker.once("message", (m: WorkerMessage) => {
        clearTimeout(timer);
        if (m.type === "ready") resolve(m.server);
        else if (m.type === "failed") reject(Object.assign(new Error(m.message), { stack: m.stack }));
      });
      worker.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
      worker.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the reference server's worker exited (${code}) before it started`));
      });
    });
  } catch (e) {
    await worker.terminate();
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  worker.removeAllListeners("message").removeAllListeners("error");
  worker.on("error", (e) => {
    if (!stopping) err.write(`mailconform: the reference server stopped: ${e.stack ?? e.message}\n`);
  });
  return {
    target: referenceTarget(server),
    disposable: true,
    release: async () => {
      stopping = true;
      try {
        if (!exited) {
          // Stopped politely (sessions told, store closed), then the thread ends: nothing left in it matters.
          const closed = new Promise<void>((resolve) => worker.on("message", (m: WorkerMessage) => m.type === "closed" && resolve()));
          worker.postMessage("close");
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([closed, exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, WORKER_STOP_TIMEOUT_MS)))]);
          clearTimeout(timer);
          await worker.terminate();
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** The worker's messages to this thread (cli/reference-worker.ts posts them). */
export type WorkerMessage = { type: "ready"; server: StartedServer } | { type: "failed"; message: string; stack?: string } | { type: "closed" };

/** What cli/reference-worker.ts is handed. */
export interface WorkerData {
  dataDir: string;
}

/**
 * An eval'd bootstrap, since a worker's own entry cannot register the loader
 * it is itself written for: registers tsx when the sources run, then imports
 * the entry. Only dynamic import(): the worker inherits the parent's
 * --input-type, so the code must run as CommonJS and as a module alike.
 */
const WORKER_BOOTSTRAP = `
(async () => {
  const { workerData } = await import("node:worker_threads");
  if (workerData.loader) (await import(workerData.loader)).register();
  await import(workerData.entry);
})();
`;

function referenceTarget(server: StartedServer): Target {
  return {
    name: "reference",
    host: server.host,
    domain: server.domain,
    // The reference server's certificate is a self-signed development one.
    insecure: true,
    // Users configured with a hashed password cannot log in from a test; the defaults are all plain.
    users: server.users.flatMap((u) => (u.password === undefined || u.name === OVER_QUOTA_USER ? [] : [{ login: u.name, password: u.password, address: u.address }])),
    endpoints: {
      smtp: { port: server.ports.smtp, tls: "none", implicitTlsPort: server.ports.smtps, failingRecipient: `${OVER_QUOTA_USER}@${server.domain}` },
      pop3: { port: server.ports.pop3, tls: "none", implicitTlsPort: server.ports.pop3s },
      lmtp: { ...(server.lmtpSocket !== null ? { port: 0, tls: "none", socket: server.lmtpSocket } : { port: server.ports.lmtp, tls: "none" }), failingRecipient: `${OVER_QUOTA_USER}@${server.domain}` },
      ...(server.ports.imap
        ? { imap: { port: server.ports.imap, tls: "none" as const, ...(server.ports.imaps ? { implicitTlsPort: server.ports.imaps } : {}) } }
        : {}),
    },
    // Connections declared `endpoint: submission` (suites/smtp/submission.yaml) upgrade with STARTTLS first, as submission clients do.
    submission: { port: server.ports.submission, tls: "starttls" },
  };
}

/**
 * Where the throwaway server's data directory goes: a memory file system
 * (tmpfs) when TMPDIR or /dev/shm is one with room, else TMPDIR. Its data is
 * deleted when the run ends, so a disk buys nothing, and every test creates
 * and removes folders and message files: on ext4 that kernel work cost a
 * full run 1–2 of its ~18 CPU-s (bench/full-run.ts).
 */
export async function throwawayDataParent(candidates: readonly string[] = [tmpdir(), SHARED_MEMORY_DIR], fsStat: typeof statfs = statfs): Promise<string> {
  for (const dir of candidates) {
    try {
      const fs = await fsStat(dir);
      if (!MEMORY_FS_TYPES.has(fs.type) || fs.bavail * fs.bsize < MEMORY_FS_MIN_FREE_OCTETS) continue;
      await access(dir, constants.W_OK);
      return dir;
    } catch {
      // Missing or not ours: the next one.
    }
  }
  return tmpdir();
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

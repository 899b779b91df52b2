// Starts the reference server: config, data directory, TLS material, store,
// and one listener per protocol and port; stops it politely. `startServer`
// is the library entry (the runner starts it in-process); `runServeCommand`
// is `mailconform serve`.
// Standards: RFC 5321 §3.8 (421 on shutdown), RFC 8314 §3.3 (implicit TLS ports), RFC 6409 §3.1 (port 587), RFC 2033 (LMTP, base + 24, and a Unix-domain socket), RFC 1939 §3, RFC 3501 §7.1.5 (BYE).

import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { X509Certificate } from "node:crypto";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { UserDirectory } from "./users/directory.ts";
import { plaintextOf } from "./users/passwords.ts";
import { defaultConfig } from "./config/defaults.ts";
import type { ServerConfig } from "./config/types.ts";
import type { ServerContext } from "./core/context.ts";
import { Admission } from "./core/admission.ts";
import { connectionLimit, raiseDescriptorLimit } from "./core/descriptor-limit.ts";
import { MemoryBudget } from "./core/memory-budget.ts";
import { listen, type Listener } from "./core/listener.ts";
import { IMAP_MAX_BUFFERED_LINE_OCTETS } from "./imap/limits.ts";
import { POP3_MAX_BUFFERED_LINE_OCTETS } from "./pop3/limits.ts";
import { SMTP_MAX_BUFFERED_LINE_OCTETS } from "./smtp/limits.ts";
import type { MailStore } from "./store/types.ts";
import { holdStoreDurability } from "./store/durable.ts";
import { loadTlsMaterial } from "./tls/certificate.ts";

/** Port offsets from the port base; scripts outside the project rely on them. */
export const PORT_OFFSETS = { lmtp: 24, smtp: 25, pop3: 110, imap: 143, smtps: 465, submission: 587, imaps: 993, pop3s: 995 } as const;
export const DEFAULT_PORT_BASE = 2000;

export interface StartServerOptions {
  config?: ServerConfig;
  /** Data directory; default: config.dataDir, else a fresh temporary one removed on close. */
  dataDir?: string;
  /** Port base N (see PORT_OFFSETS) or "ephemeral" for port 0 everywhere. Default: config.listen.portBase. */
  portBase?: number | "ephemeral";
  /** Address to bind; default config.listen.host (127.0.0.1). */
  host?: string;
  /** A store to use instead of the Maildir store under <dataDir>/mail. */
  store?: MailStore;
  /** Session log (connection id, commands with passwords redacted, replies). */
  verbose?: boolean;
  /** Where log lines go; default stderr. */
  log?: (line: string) => void;
}

/** A user a client can log in as (the runner's TargetUser shape). */
export interface ServerUser {
  name: string;
  /** What to send as the login name (the user name). */
  login: string;
  password: string;
  address: string;
}

export interface RunningServer {
  ports: { smtp: number; pop3: number; smtps: number; pop3s: number; submission: number; lmtp: number; imap?: number; imaps?: number };
  /** The Unix-domain socket LMTP also listens on (config listen.lmtpSocket); null when none. */
  lmtpSocket: string | null;
  host: string;
  dataDir: string;
  /** Users whose password is known in plaintext (`plain:`); hashed-only users are left out. */
  users: ServerUser[];
  /** The default mail domain. */
  domain: string;
  hostname: string;
  /** PEM of the certificate served (the generated development one unless configured). */
  certificate: string;
  /** Where that certificate is on disk, for a client to trust it (`run --ca FILE`). */
  certificateFile: string | null;
  close(): Promise<void>;
  /**
   * Resolves once the server has ended the session of the client connected
   * from `clientPort` to `port` (slot, locks, half-received data released);
   * at once when there is none. For tests: await the server noticing a close, never sleep for it.
   */
  sessionEnded(port: number, clientPort: number): Promise<void>;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const config = options.config ?? defaultConfig();
  const temporary = !options.dataDir && !config.dataDir;
  const dataDir = resolve(options.dataDir ?? config.dataDir ?? (await mkdtemp(join(tmpdir(), "mailconform-"))));
  await mkdir(dataDir, { recursive: true });
  const log = options.verbose ? (options.log ?? ((line: string) => process.stderr.write(line + "\n"))) : null;
  const users = new UserDirectory(config);
  const tlsMaterial = await loadTlsMaterial(config, dataDir);
  // config.store.durable: false turns the store's syncs off while this server runs (store/durable.ts).
  const releaseDurability = holdStoreDurability(config.store.durable);
  let store: MailStore;
  try {
    store = options.store ?? (await openDefaultStore(join(dataDir, "mail")));
  } catch (error) {
    releaseDurability();
    throw error;
  }
  // Connections beyond what the descriptor limit allows are greeted with 421 / -ERR / BYE, never left to EMFILE.
  const descriptors = raiseDescriptorLimit(log);
  const maxTotal = connectionLimit(descriptors, config.connections.maxTotal);
  if (maxTotal < config.connections.maxTotal) log?.(`connection limit ${maxTotal} (descriptor limit ${descriptors?.soft})`);
  const admission = new Admission({ ...config.connections, maxTotal });
  const memory = new MemoryBudget(config.memory.maxHeldOctets);
  const context: ServerContext = { config, store, users, tls: tlsMaterial, admission, memory, log };

  const host = options.host ?? config.listen.host;
  const base = options.portBase ?? config.listen.portBase;
  const port = (name: keyof typeof PORT_OFFSETS) => (base === "ephemeral" ? 0 : base + PORT_OFFSETS[name]);
  // Each engine is loaded at its protocol's first connection (core/listener.ts): compiling
  // the engines was most of a start, and a run that only speaks SMTP never needs IMAP's.
  const smtp = async () => (await loadModule<SmtpEngineModule>("./smtp/engine.ts")).smtpEngine(config);
  const submission = async () => (await loadModule<SmtpEngineModule>("./smtp/engine.ts")).smtpEngine(config, "submission");
  const lmtp = async () => (await loadModule<SmtpEngineModule>("./smtp/engine.ts")).smtpEngine(config, "lmtp");
  const pop3 = async () => (await loadModule<Pop3EngineModule>("./pop3/engine.ts")).pop3Engine(config);
  const imap = async () => (await loadModule<ImapEngineModule>("./imap/engine.ts")).imapEngine(config);
  const specs = [
    { name: "smtp", engine: smtp, implicitTls: false, max: SMTP_MAX_BUFFERED_LINE_OCTETS },
    { name: "pop3", engine: pop3, implicitTls: false, max: POP3_MAX_BUFFERED_LINE_OCTETS },
    { name: "smtps", engine: smtp, implicitTls: true, max: SMTP_MAX_BUFFERED_LINE_OCTETS },
    { name: "pop3s", engine: pop3, implicitTls: true, max: POP3_MAX_BUFFERED_LINE_OCTETS },
    // RFC 6409: message submission, STARTTLS offered, AUTH required before MAIL.
    { name: "submission", engine: submission, implicitTls: false, max: SMTP_MAX_BUFFERED_LINE_OCTETS },
    // RFC 2033: local delivery into the same store, one reply per recipient.
    { name: "lmtp", engine: lmtp, implicitTls: false, max: SMTP_MAX_BUFFERED_LINE_OCTETS },
    { name: "imap", engine: imap, implicitTls: false, max: IMAP_MAX_BUFFERED_LINE_OCTETS },
    { name: "imaps", engine: imap, implicitTls: true, max: IMAP_MAX_BUFFERED_LINE_OCTETS },
  ] as const;
  const listeners: Listener[] = [];
  try {
    for (const spec of specs) {
      listeners.push(
        await listen<any>({
          name: spec.name,
          engine: spec.engine,
          context,
          host,
          port: port(spec.name),
          implicitTls: spec.implicitTls,
          maxBufferedLineOctets: spec.max,
        }),
      );
    }
    // The same LMTP engine on a socket path: local delivery agents often dial one instead of a port.
    const lmtpSocket = config.listen.lmtpSocket;
    if (lmtpSocket !== null) {
      listeners.push(await listen<any>({ name: "lmtp-socket", engine: lmtp, context, host, port: 0, socketPath: lmtpSocket, implicitTls: false, maxBufferedLineOctets: SMTP_MAX_BUFFERED_LINE_OCTETS }));
    }
  } catch (error) {
    await Promise.all(listeners.map((l) => l.close()));
    releaseDurability();
    throw error;
  }
  const portOf = (name: string) => listeners.find((l) => l.name === name)!.port;

  let closing: Promise<void> | null = null;
  return {
    ports: {
      smtp: portOf("smtp"),
      pop3: portOf("pop3"),
      smtps: portOf("smtps"),
      pop3s: portOf("pop3s"),
      submission: portOf("submission"),
      lmtp: portOf("lmtp"),
      imap: portOf("imap"),
      imaps: portOf("imaps"),
    },
    lmtpSocket: config.listen.lmtpSocket,
    host,
    dataDir,
    users: config.users.flatMap((u) => {
      const password = plaintextOf(u.password);
      return password === null ? [] : [{ name: u.name, login: u.name, password, address: u.address }];
    }),
    domain: config.domains[0]!,
    hostname: config.hostname,
    certificate: tlsMaterial.cert,
    certificateFile: tlsMaterial.certFile,
    close() {
      closing ??= (async () => {
        await Promise.all(listeners.map((l) => l.close()));
        const closable = store as Partial<{ close(): Promise<void> }>;
        try {
          if (!options.store && typeof closable.close === "function") await closable.close();
        } finally {
          releaseDurability();
        }
        if (temporary) await rm(dataDir, { recursive: true, force: true });
      })();
      return closing;
    },
    sessionEnded(port, clientPort) {
      return listeners.find((l) => l.port === port)?.sessionEnded(clientPort) ?? Promise.resolve();
    },
  };
}

type SmtpEngineModule = typeof import("./smtp/engine.ts");
type Pop3EngineModule = typeof import("./pop3/engine.ts");
type ImapEngineModule = typeof import("./imap/engine.ts");

// Where these sources run as CommonJS (tsx under mocha) __filename is this file; in a module it is undefined (or an eval's global).
const loadedAsCommonJs = typeof __filename === "string" && __filename === fileURLToPath(import.meta.url);

/**
 * A module of this server loaded on first use. Where these sources run as
 * CommonJS, import() would load a second copy of every module the engine
 * uses, error classes included, so there it is required.
 */
async function loadModule<T>(specifier: string): Promise<T> {
  return loadedAsCommonJs ? (require(specifier) as T) : ((await import(specifier)) as T);
}

/**
 * The Maildir store, loaded lazily so the engines never depend on it and
 * tests can run with any MailStore. The specifier is a variable because the
 * module is written alongside this one.
 */
async function openDefaultStore(root: string): Promise<MailStore> {
  const specifier = "./store/maildir-store.ts";
  const module = (await import(specifier)) as { openMaildirStore(root: string): Promise<MailStore> };
  return module.openMaildirStore(root);
}

export interface ServeCommandOptions {
  config?: string;
  data?: string;
  portBase?: number;
  verbose?: boolean;
}

/**
 * `mailconform serve`: start, print each listener, run until SIGINT/SIGTERM,
 * then stop politely. Resolves with the exit code (0 after a clean stop).
 */
export async function runServeCommand(options: ServeCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  // Loaded only for a config file: compiling its schema validator (ajv) would cost every start of the bundled server for nothing.
  const config = options.config ? await (await import("./config/load.ts")).loadConfigFile(options.config) : defaultConfig();
  // Listen for the stop signal before anything is printed: whoever reads the
  // printed ports may signal at once (a test, a supervisor), and a signal
  // during start-up must still end in a clean stop, not the default kill.
  let signalled!: () => void;
  const stopRequested = new Promise<void>((resolve) => (signalled = resolve));
  const stop = () => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    signalled();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let server: RunningServer;
  try {
    server = await startServer({
      config,
      dataDir: options.data ?? config.dataDir ?? "mailconform-data",
      ...(options.portBase === undefined ? {} : { portBase: options.portBase }),
      verbose: options.verbose ?? false,
    });
  } catch (e) {
    stop();
    throw e;
  }
  // Six columns for the name, and always a space after it ("submission" is longer).
  for (const [name, port] of Object.entries(server.ports)) out.write(`${name.padEnd(5)} ${server.host}:${port}\n`);
  if (server.lmtpSocket !== null) out.write(`lmtp  ${server.lmtpSocket}\n`);
  out.write(`data  ${server.dataDir}\n`);
  out.write(`users ${server.users.map((u) => u.address).join(", ")}\n`);
  // Clients verify certificates (the runner too): say what to trust, and how to check it is this one.
  out.write(`cert  ${server.certificateFile ?? "(in memory)"}\n`);
  out.write(`      SHA-256 ${new X509Certificate(server.certificate).fingerprint256}\n`);
  if (server.certificateFile !== null) out.write(`      trust it: mailconform run --ca ${server.certificateFile} … (or skip verification: --insecure)\n`);
  await stopRequested;
  await server.close();
  return 0;
}

// Accepts connections on one port and starts a session per connection, on a
// clear channel (with STARTTLS available to the engine) or with implicit TLS.
// Tracks live sessions so the server can stop accepting and end each one
// politely. Every connection is counted by the server's Admission first; one
// over a limit is refused the protocol's way. serve.ts makes one listener per protocol and port,
// and one on a Unix-domain socket path for LMTP when configured. An engine
// may come as a loader, run once at the first connection: a run that only
// speaks SMTP never compiles the IMAP engine (issue 18, start-up).
// Standards: RFC 8314 §3.3 (implicit TLS for submission and POP3S), RFC 3207, RFC 2595, RFC 2033 §5 (LMTP, not on TCP port 25).

import { lstat, unlink } from "node:fs/promises";
import * as net from "node:net";
import * as tls from "node:tls";
import { Connection } from "./connection.ts";
import type { ServerContext } from "./context.ts";
import { Fatal } from "./errors.ts";
import { startSession, type Engine, type SessionBase, type SessionHandle } from "./session.ts";

// How long a client on an implicit-TLS port may take to finish its handshake.
const IMPLICIT_TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

export interface ListenerOptions<S extends SessionBase> {
  name: string;
  /** The engine, or a loader run at the first connection (its result kept); connections accepted before it resolves wait for it. */
  engine: Engine<S> | (() => Promise<Engine<S>>);
  context: ServerContext;
  host: string;
  port: number;
  /** A Unix-domain socket path to listen on instead of host and port (a stale socket file there is replaced). */
  socketPath?: string;
  implicitTls: boolean;
  /** Longest line any read of this protocol may ask for (SASL responses, IMAP lines). */
  maxBufferedLineOctets: number;
}

export interface Listener {
  readonly name: string;
  /** 0 on a Unix-domain socket. */
  readonly port: number;
  /** The socket path, when listening on one. */
  readonly socketPath: string | null;
  readonly implicitTls: boolean;
  /** Stop accepting, say goodbye to every session, resolve when all sockets are closed. */
  close(): Promise<void>;
  /**
   * Resolves once the session of the client connected from `clientPort` has
   * ended: its slot, locks and any half-received data released. At once when
   * there is none. Tests await this instead of sleeping until the server notices a close.
   */
  sessionEnded(clientPort: number): Promise<void>;
}

let connectionCounter = 0;

// What a client turned away by admission.ts is told before the close.
const REFUSALS = {
  total: "too many connections, try again later",
  "per-address": "too many connections from your address, try again later",
} as const;
const SHORT_OF_MEMORY = "server is short of memory, try again later";

export async function listen<S extends SessionBase>(options: ListenerOptions<S>): Promise<Listener> {
  const sessions = new Set<SessionHandle>();
  const sockets = new Set<net.Socket>();
  /** Each live session, by the client's port. */
  const byClientPort = new Map<number, SessionHandle>();
  const { context } = options;
  let closing = false;
  let engine = typeof options.engine === "function" ? null : options.engine;
  let loading: Promise<Engine<S>> | null = null;
  const loadEngine = typeof options.engine === "function" ? options.engine : null;

  // One function for every session's end, the client's port and address read off its connection: no closure per connection.
  const ended = (handle: SessionHandle) => {
    const conn = handle.conn;
    context.admission.leave(conn.remoteAddress);
    sessions.delete(handle);
    context.log?.(`${conn.id} disconnect`);
    if (byClientPort.get(conn.remotePort) === handle) byClientPort.delete(conn.remotePort);
  };

  const accept = (socket: net.Socket | tls.TLSSocket) => {
    if (closing) {
      socket.destroy();
      return;
    }
    const conn = new Connection(socket, {
      id: `${options.name}#${++connectionCounter}`,
      maxBufferedLineOctets: options.maxBufferedLineOctets,
      log: context.log,
      memory: context.memory,
    });
    context.log?.(`${conn.id} connect from ${conn.remoteAddress}${conn.tls ? " (TLS)" : ""}`);
    const admission = context.admission.enter(conn.remoteAddress);
    if (admission) context.log?.(`${conn.id} refused: too many connections (${admission})`);
    const overloaded = admission === null && context.memory.underPressure;
    if (overloaded) context.log?.(`${conn.id} refused: ${context.memory.held} octets held for clients`);
    const refusal = admission !== null ? new Fatal("too-many-connections", REFUSALS[admission]) : overloaded ? new Fatal("overloaded", SHORT_OF_MEMORY) : null;
    if (engine !== null) {
      start(engine, conn, refusal);
      return;
    }
    // Not loaded yet: the connection waits, counted by admission; its read deadlines start with the session.
    loading ??= loadEngine!().then((loaded) => (engine = loaded));
    loading.then(
      (loaded) => start(loaded, conn, refusal),
      (error: unknown) => {
        // Without its engine there is no protocol to answer in: log, close, release the slot.
        context.log?.(`${conn.id} internal error: ${options.name} engine failed to load: ${error instanceof Error ? error.stack : String(error)}`);
        conn.destroy();
        context.admission.leave(conn.remoteAddress);
      },
    );
  };

  const start = (loaded: Engine<S>, conn: Connection, refusal: Fatal | null) => {
    const handle = startSession(loaded, conn, context, refusal, ended);
    sessions.add(handle);
    byClientPort.set(conn.remotePort, handle);
  };

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // Errors before a session owns the socket (reset during the TLS handshake) end up here.
    socket.on("error", () => {});
  };

  const server: net.Server = options.implicitTls
    ? tls.createServer(
        { ...context.tls.options, allowHalfOpen: true, handshakeTimeout: IMPLICIT_TLS_HANDSHAKE_TIMEOUT_MS },
        accept,
      )
    : net.createServer({ allowHalfOpen: true }, accept);
  // Only sockets still in a TLS handshake can be without a session (and its error listener): on a clear
  // port the session starts in the same turn, so tracking every socket there cost two closures per connection.
  if (options.implicitTls) server.on("connection", track);
  // A failed handshake on the implicit-TLS port concerns that client only.
  server.on("tlsClientError", () => {});

  const socketPath = options.socketPath ?? null;
  if (socketPath !== null) await removeStaleSocket(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const listening = () => {
      server.off("error", reject);
      resolve();
    };
    if (socketPath !== null) server.listen(socketPath, listening);
    else server.listen(options.port, options.host, listening);
  });
  server.on("error", (error) => context.log?.(`${options.name} listener error: ${error.message}`));
  const port = socketPath === null ? (server.address() as net.AddressInfo).port : 0;

  return {
    name: options.name,
    port,
    socketPath,
    implicitTls: options.implicitTls,
    async close() {
      closing = true;
      // Connections waiting for the engine become sessions first, so each gets its goodbye below.
      await loading?.catch(() => {});
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((s) => s.shutdown()));
      // Sockets still in their TLS handshake have no session to say goodbye.
      for (const socket of sockets) socket.destroy();
      await stopped;
      await Promise.all([...sessions].map((s) => s.done));
    },
    async sessionEnded(clientPort) {
      // A connection accepted while the engine loads has its session once the load settles.
      if (engine === null) await loading?.catch(() => {});
      return byClientPort.get(clientPort)?.done;
    },
  };
}

/**
 * A socket file left by a server that did not close (a crash) would make
 * listen fail with EADDRINUSE: remove it, but never a file that is not a socket.
 */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let stats;
  try {
    stats = await lstat(socketPath);
  } catch {
    return;
  }
  if (!stats.isSocket()) throw new Error(`${socketPath} exists and is not a socket: not replacing it`);
  await unlink(socketPath);
}

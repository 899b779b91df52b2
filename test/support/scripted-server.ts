// A scriptable, misbehaving server on 127.0.0.1:0 for the runner's tests:
// each connection plays a list of actions (send bytes, wait for a line and
// answer it, drip, hang, flood with backpressure, reset, close, STARTTLS).
// Plain TCP or implicit TLS with a throwaway certificate from `selfsigned`.
// Standards: none (test support); RFC 8314 / RFC 3207 for the TLS variants.

import net from "node:net";
import tls from "node:tls";
import { generate } from "selfsigned";

export type Action =
  | { kind: "send"; data: Buffer }
  /** Wait for one CRLF/LF line from the client; `answer` may compute a reply from it. */
  | { kind: "line"; answer?: (line: string) => string | Buffer | null }
  /** Wait for exactly n octets (a client literal). */
  | { kind: "bytes"; n: number }
  /** Read lines until one equals `until` (e.g. "." ending DATA). */
  | { kind: "lines-until"; until: string }
  | { kind: "drip"; data: Buffer; intervalMs: number; forever: boolean }
  | { kind: "flood"; octets: number; pattern: Buffer }
  | { kind: "wait"; ms: number }
  | { kind: "hang" }
  | { kind: "reset" }
  | { kind: "close" }
  | { kind: "starttls" };

export const send = (data: string | Buffer): Action => ({ kind: "send", data: typeof data === "string" ? Buffer.from(data, "latin1") : data });
export const line = (answer?: (line: string) => string | Buffer | null): Action => (answer ? { kind: "line", answer } : { kind: "line" });
export const reply = (data: string): Action => ({ kind: "line", answer: () => data });
export const bytes = (n: number): Action => ({ kind: "bytes", n });
export const linesUntil = (until: string): Action => ({ kind: "lines-until", until });
export const drip = (data: string, intervalMs: number, forever = false): Action => ({ kind: "drip", data: Buffer.from(data, "latin1"), intervalMs, forever });
export const flood = (octets: number, pattern = "250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"): Action => ({ kind: "flood", octets, pattern: Buffer.from(pattern, "latin1") });
export const wait = (ms: number): Action => ({ kind: "wait", ms });
export const hang = (): Action => ({ kind: "hang" });
export const reset = (): Action => ({ kind: "reset" });
export const close = (): Action => ({ kind: "close" });
export const starttls = (): Action => ({ kind: "starttls" });

/** The IMAP tag of a client line ("A1 NOOP" → "A1"). */
export const tagOf = (clientLine: string): string => clientLine.split(" ")[0] ?? "";

export interface Credentials {
  key: string;
  cert: string;
}

let credentials: Promise<Credentials> | undefined;

/** A throwaway self-signed certificate for 127.0.0.1 / localhost, generated once per process. */
export function testCredentials(): Promise<Credentials> {
  credentials ??= generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return credentials;
}

export interface ScriptedServer {
  port: number;
  /** Everything each connection received, in order of connection. */
  received: Buffer[];
  /** Octets each connection managed to write (flood tests). */
  sent: number[];
  connections(): number;
  /** Resolves once every client socket has closed (false if some are still open after `ms`). */
  allClosed(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Implicit TLS on accept. */
  tls?: boolean;
  /** Certificate for implicit TLS and STARTTLS instead of the shared one (expired, wrong host...). */
  credentials?: Credentials;
}

export interface CertificateOptions {
  notBefore?: Date;
  notAfter?: Date;
  /** DNS names and IP addresses in subjectAltName; default localhost and 127.0.0.1. */
  dns?: string[];
  ips?: string[];
}

/** A self-signed certificate with chosen validity and names (hostile TLS peers). */
export async function makeCertificate(options: CertificateOptions = {}): Promise<Credentials> {
  const dns = options.dns ?? ["localhost"];
  const ips = options.ips ?? ["127.0.0.1"];
  const pems = await generate([{ name: "commonName", value: dns[0] ?? "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    ...(options.notBefore ? { notBeforeDate: options.notBefore } : {}),
    ...(options.notAfter ? { notAfterDate: options.notAfter } : {}),
    extensions: [{ name: "subjectAltName", altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] }],
  });
  return { key: pems.private, cert: pems.cert };
}

class Peer {
  private data = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private gone = false;

  constructor(
    public socket: net.Socket,
    private readonly index: number,
    private readonly server: { received: Buffer[]; sent: number[] },
  ) {
    this.listen(socket);
  }

  listen(socket: net.Socket): void {
    socket.on("data", (chunk: Buffer) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.server.received[this.index] = Buffer.concat([this.server.received[this.index] ?? Buffer.alloc(0), chunk]);
      this.notify();
    });
    socket.on("close", () => {
      this.gone = true;
      this.notify();
    });
    socket.on("error", () => {
      this.gone = true;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private waitData(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  async readLine(): Promise<string | null> {
    for (;;) {
      const lf = this.data.indexOf(0x0a);
      if (lf !== -1) {
        const text = this.data.subarray(0, lf).toString("latin1").replace(/\r$/, "");
        this.data = this.data.subarray(lf + 1);
        return text;
      }
      if (this.gone) return null;
      await this.waitData();
    }
  }

  async readBytes(n: number): Promise<Buffer | null> {
    for (;;) {
      if (this.data.length >= n) {
        const out = this.data.subarray(0, n);
        this.data = this.data.subarray(n);
        return out;
      }
      if (this.gone) return null;
      await this.waitData();
    }
  }

  get closed(): boolean {
    return this.gone || this.socket.destroyed;
  }

  write(data: Buffer): boolean {
    if (this.closed) return false;
    this.server.sent[this.index] = (this.server.sent[this.index] ?? 0) + data.length;
    return this.socket.write(data);
  }

  async run(actions: Action[], creds: () => Promise<Credentials>): Promise<void> {
    for (const action of actions) {
      if (this.closed) return;
      switch (action.kind) {
        case "send":
          this.write(action.data);
          break;
        case "line": {
          const text = await this.readLine();
          if (text === null) return;
          const answer = action.answer?.(text);
          if (answer !== undefined && answer !== null) this.write(typeof answer === "string" ? Buffer.from(answer, "latin1") : answer);
          break;
        }
        case "bytes":
          if ((await this.readBytes(action.n)) === null) return;
          break;
        case "lines-until":
          for (;;) {
            const text = await this.readLine();
            if (text === null) return;
            if (text === action.until) break;
          }
          break;
        case "drip":
          do {
            for (const byte of action.data) {
              if (this.closed) return;
              this.write(Buffer.from([byte]));
              await sleep(action.intervalMs);
            }
          } while (action.forever);
          break;
        case "flood": {
          let left = action.octets;
          const chunk = Buffer.concat(Array(Math.ceil(65536 / action.pattern.length)).fill(action.pattern));
          while (left > 0 && !this.closed) {
            const piece = chunk.subarray(0, Math.min(left, chunk.length));
            left -= piece.length;
            if (!this.write(piece)) await new Promise<void>((resolve) => {
              const done = (): void => {
                this.socket.off("drain", done);
                this.socket.off("close", done);
                resolve();
              };
              this.socket.on("drain", done);
              this.socket.on("close", done);
            });
          }
          break;
        }
        case "wait":
          await sleep(action.ms);
          break;
        case "hang":
          while (!this.closed) await this.waitData();
          return;
        case "reset":
          this.socket.resetAndDestroy();
          return;
        case "close":
          this.socket.end();
          return;
        case "starttls": {
          // The raw socket's reader must not swallow the ClientHello: unhook it before wrapping.
          this.socket.removeAllListeners("data");
          const { key, cert } = await creds();
          const secure = new tls.TLSSocket(this.socket, { isServer: true, key, cert });
          secure.on("error", () => {});
          this.socket = secure;
          this.data = Buffer.alloc(0);
          this.listen(secure);
          break;
        }
      }
    }
    // Script done: keep the connection open until the client goes (like a real idle server).
    while (!this.closed) await this.waitData();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Start a server; `script` gives the actions of the n-th connection (0-based). */
export async function startScriptedServer(script: Action[] | ((index: number) => Action[]), options: ServerOptions = {}): Promise<ScriptedServer> {
  // Generated before any client connects, so a STARTTLS action never stalls on key generation.
  await testCredentials();
  const sockets = new Set<net.Socket>();
  const state = { received: [] as Buffer[], sent: [] as number[] };
  let count = 0;
  const onSocket = (socket: net.Socket): void => {
    const index = count++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    const peer = new Peer(socket, index, state);
    const actions = typeof script === "function" ? script(index) : script;
    peer.run(actions, creds).catch(() => socket.destroy());
  };
  const creds = (): Promise<Credentials> => (options.credentials ? Promise.resolve(options.credentials) : testCredentials());
  const server: net.Server = options.tls
    ? tls.createServer({ ...(await creds()) }, onSocket)
    : net.createServer(onSocket);
  server.on("tlsClientError", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    received: state.received,
    sent: state.sent,
    connections: () => count,
    allClosed: async (ms) => {
      const until = Date.now() + ms;
      while (sockets.size > 0 && Date.now() < until) await sleep(10);
      return sockets.size === 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

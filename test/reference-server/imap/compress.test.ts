// COMPRESS=DEFLATE (RFC 4978) on the reference server: imapflow, a real
// client that turns compression on by itself when it is advertised, reads
// and writes through it; a hand-driven socket with node:zlib checks the
// switch point (the OK uncompressed, everything after it raw DEFLATE), the
// refusals (a second COMPRESS, an unknown algorithm, before login), and that
// a small input inflating to 256 MiB is never held whole (a zip bomb).
// Standards: RFC 4978 §3, §5, RFC 1951.

import { expect } from "chai";
import net from "node:net";
import zlib from "node:zlib";
import { ImapFlow } from "imapflow";
import { sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

/** A client socket that speaks plain IMAP until compress(), then raw DEFLATE through node:zlib. */
class RawClient {
  private received = Buffer.alloc(0);
  private inflater: zlib.InflateRaw | null = null;
  private deflater: zlib.DeflateRaw | null = null;
  private wake: (() => void) | null = null;
  /** Octets taken off the socket since compression began (what crossed the wire compressed). */
  compressedOctets = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      if (this.inflater) {
        this.compressedOctets += chunk.length;
        this.inflater.write(chunk);
      } else this.take(chunk);
    });
    socket.on("close", () => this.wake?.());
  }

  static async open(port: number): Promise<RawClient> {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    const client = new RawClient(socket);
    await client.line();
    return client;
  }

  private take(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    this.wake?.();
  }

  /** The next CRLF line (without it). */
  async line(): Promise<string> {
    for (;;) {
      const end = this.received.indexOf("\r\n");
      if (end !== -1) {
        const text = this.received.subarray(0, end).toString("latin1");
        this.received = this.received.subarray(end + 2);
        return text;
      }
      if (this.socket.destroyed) throw new Error("connection closed");
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Lines up to and including the one starting with `tag `. */
  async until(tag: string): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const text = await this.line();
      lines.push(text);
      if (text.startsWith(`${tag} `)) return lines;
    }
  }

  send(text: string | Buffer): void {
    if (this.deflater) {
      this.deflater.write(text);
      this.deflater.flush(zlib.constants.Z_SYNC_FLUSH);
    } else this.socket.write(text);
  }

  /** Compress from here on, the way RFC 4978 §3 has the client do after the OK. */
  compress(): void {
    this.inflater = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.inflater.on("data", (chunk: Buffer) => this.take(chunk));
    // Whatever followed the OK in the same read was already compressed.
    const rest = this.received;
    this.received = Buffer.alloc(0);
    if (rest.length > 0) this.inflater.write(rest);
    this.deflater = zlib.createDeflateRaw();
    this.deflater.on("data", (chunk: Buffer) => this.socket.write(chunk));
  }

  close(): void {
    this.socket.destroy();
  }
}

describe("IMAP COMPRESS=DEFLATE (RFC 4978)", function () {
  this.timeout(30_000);
  let server: ImapTestServer;
  beforeEach(async () => {
    server = await startImapServer();
    for (let n = 1; n <= 3; n++) await server.store.deliver("alice", sampleMessage(n, " " + "padding ".repeat(200)));
  });
  afterEach(async () => server.stop());

  it("imapflow turns compression on by itself (inside STARTTLS) and fetches whole messages through it", async () => {
    const client = new ImapFlow({ host: "127.0.0.1", port: server.imap, secure: false, auth: { user: "alice", pass: "alice-pw" }, logger: false, tls: { rejectUnauthorized: false } });
    let wrote = 0;
    await client.connect();
    try {
      expect(client.capabilities.has("COMPRESS=DEFLATE")).to.equal(true);
      // imapflow keeps its deflate stream on the connection once the server said OK to COMPRESS DEFLATE.
      expect((client as unknown as { _deflate?: unknown })._deflate, "imapflow compresses").to.not.equal(undefined);
      const lock = await client.getMailboxLock("INBOX");
      try {
        const subjects: string[] = [];
        for await (const m of client.fetch("1:*", { source: true, envelope: true })) {
          subjects.push(m.envelope!.subject!.split(" ").slice(0, 2).join(" "));
          expect(m.source!.toString("latin1")).to.include(`body of message ${m.seq}`);
          wrote += m.source!.length;
        }
        expect(subjects).to.deep.equal(["message 1", "message 2", "message 3"]);
        await client.messageFlagsAdd("2", ["\\Flagged"]);
        const flagged = await client.search({ flagged: true });
        expect(flagged).to.deep.equal([2]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
    expect(wrote).to.be.greaterThan(3 * 1600);
  });

  it("sends the OK uncompressed and everything after it as raw DEFLATE, both ways", async () => {
    const c = await RawClient.open(server.imap);
    try {
      c.send("a1 LOGIN alice alice-pw\r\n");
      expect((await c.until("a1")).at(-1)).to.match(/^a1 OK/);
      c.send("a2 compress deflate\r\n");
      expect(await c.line()).to.match(/^a2 OK/);
      c.compress();
      c.send("a3 SELECT INBOX\r\n");
      expect((await c.until("a3")).at(-1)).to.match(/^a3 OK/);
      c.send("a4 FETCH 1:3 BODY.PEEK[]\r\n");
      const fetched = await c.until("a4");
      expect(fetched.at(-1)).to.match(/^a4 OK/);
      expect(fetched.join("\n")).to.include("body of message 3");
      // ~5 KiB of repetitive text crossed the wire in far fewer octets.
      expect(c.compressedOctets).to.be.lessThan(fetched.join("\r\n").length / 2);
      c.send("a5 LOGOUT\r\n");
      expect((await c.until("a5")).at(-1)).to.match(/^a5 OK/);
    } finally {
      c.close();
    }
  });

  it("refuses a second COMPRESS with NO [COMPRESSIONACTIVE] and stays compressed", async () => {
    const c = await RawClient.open(server.imap);
    try {
      c.send("a1 LOGIN alice alice-pw\r\n");
      await c.until("a1");
      c.send("a2 COMPRESS DEFLATE\r\n");
      expect(await c.line()).to.match(/^a2 OK/);
      c.compress();
      c.send("a3 COMPRESS DEFLATE\r\n");
      expect((await c.until("a3")).at(-1)).to.match(/^a3 NO \[COMPRESSIONACTIVE\]/);
      c.send("a4 NOOP\r\n");
      expect((await c.until("a4")).at(-1)).to.match(/^a4 OK/);
    } finally {
      c.close();
    }
  });

  it("answers an unknown algorithm with BAD and COMPRESS before login with BAD, and stays uncompressed", async () => {
    const c = await RawClient.open(server.imap);
    try {
      c.send("a1 COMPRESS DEFLATE\r\n");
      expect((await c.until("a1")).at(-1)).to.match(/^a1 BAD/);
      c.send("a2 LOGIN alice alice-pw\r\n");
      await c.until("a2");
      c.send("a3 COMPRESS X-SNAPPY\r\n");
      expect((await c.until("a3")).at(-1)).to.match(/^a3 BAD/);
      c.send("a4 NOOP\r\n");
      expect((await c.until("a4")).at(-1)).to.match(/^a4 OK/);
    } finally {
      c.close();
    }
  });

  it("inflates a zip bomb only as fast as it is read: 150 MiB of pipelined commands from a few hundred KiB of input are not held", async () => {
    const c = await RawClient.open(server.imap);
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 2);
    try {
      c.send("a1 LOGIN alice alice-pw\r\n");
      await c.until("a1");
      c.send("a2 COMPRESS DEFLATE\r\n");
      expect(await c.line()).to.match(/^a2 OK/);
      c.compress();
      // The client reads no replies: the server stops taking commands, and must then stop inflating too.
      c.socket.pause();
      const slice = Buffer.from("a3 NOOP\r\n".repeat((1 << 20) / 10));
      for (let i = 0; i < 160; i++) c.send(slice);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    } finally {
      clearInterval(sampler);
      c.close();
    }
    // Measured: ~2 MiB bounded; without the inflater's backpressure ~22 MiB had piled up in the server's read buffers by then.
    expect(peak).to.be.lessThan(12 << 20);
  });
});

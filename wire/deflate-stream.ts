// A byte stream carried compressed over another one: raw DEFLATE (RFC 1951,
// no zlib or gzip wrapper) in both directions, every write flushed with
// Z_SYNC_FLUSH so the peer can decode each response or command as soon as it
// arrives. Used by the reference server and the runner once IMAP COMPRESS
// succeeded; whatever sits below (a TCP or TLS socket) is untouched, so
// compression runs inside TLS as the RFC orders.
// Backpressure runs end to end: the inflater stops while this stream's reader
// is paused, and the socket stops while the inflater is full, so a few
// kilobytes that inflate to gigabytes (a "zip bomb") are decoded only as fast
// as the reader takes them, never buffered whole.
// Standards: RFC 4978 §3 (COMPRESS; order of compression and TLS), §4 (flushing), RFC 1951 (DEFLATE).

import { Duplex } from "node:stream";
import zlib from "node:zlib";

/** The octets one inflate step may produce before the reader is asked; also the readable side's high-water mark. */
const INFLATE_CHUNK_OCTETS = 16 * 1024;

export class DeflateStream extends Duplex {
  private readonly inflater: zlib.InflateRaw;
  private readonly deflater: zlib.DeflateRaw;

  /**
   * `inner` carries the compressed octets; `alreadyReceived` are octets read
   * from it past the command that switched compression on (the peer's first
   * compressed data, which arrived together with it).
   */
  constructor(
    readonly inner: Duplex,
    alreadyReceived?: Buffer,
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: INFLATE_CHUNK_OCTETS });
    // A peer that closes without a final block (IMAP LOGOUT does) is not corrupt input.
    this.inflater = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK_OCTETS, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    this.deflater = zlib.createDeflateRaw();
    this.inflater.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) this.inflater.pause();
    });
    this.inflater.on("end", () => this.push(null));
    // Octets that are no DEFLATE stream: the connection cannot be read any further.
    this.inflater.on("error", (error) => this.destroy(error));
    this.deflater.on("data", (chunk: Buffer) => {
      if (inner.destroyed) return;
      if (!inner.write(chunk)) {
        this.deflater.pause();
        inner.once("drain", () => this.deflater.resume());
      }
    });
    this.deflater.on("error", (error) => this.destroy(error));
    inner.on("error", (error) => this.destroy(error));
    inner.on("close", () => this.destroy());
    if (alreadyReceived && alreadyReceived.length > 0) this.inflater.write(alreadyReceived);
    // pipe() pauses `inner` while the inflater's input is full, and ends the inflater at the peer's FIN.
    inner.pipe(this.inflater);
  }

  /** The reader wants more: let the inflater go on. */
  override _read(): void {
    this.inflater.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.deflater.write(chunk);
    this.deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => callback());
  }

  /** Corked writes (a batch of replies) are compressed together and flushed once. */
  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    for (const { chunk } of chunks) this.deflater.write(chunk);
    this.deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => callback());
  }

  /**
   * end(): finish the DEFLATE stream, then half-close the socket below once
   * its last octets are written — only then is this side finished, so a
   * destroy that follows cannot cut off a farewell still in the socket.
   */
  override _final(callback: (error?: Error | null) => void): void {
    this.deflater.once("end", () => {
      if (this.inner.destroyed || this.inner.writableEnded) callback();
      else this.inner.end(() => callback());
    });
    this.deflater.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.unpipe(this.inflater);
    this.inflater.destroy();
    this.deflater.destroy();
    this.inner.destroy();
    callback(error);
  }
}

// DeflateStream over a real TCP connection, the far end plain node:zlib:
// raw DEFLATE both ways with every write flushed, octets received before the
// switch inflated first, the last write delivered before the FIN on end(),
// and a reader that stops reading stops the inflater (and so the socket):
// 64 MiB of zeros in a few KiB of input are not inflated ahead of the reader.
// Standards: RFC 4978 §3, §4, RFC 1951.

import { expect } from "chai";
import net from "node:net";
import zlib from "node:zlib";
import { DeflateStream } from "../../wire/deflate-stream.ts";

async function socketPair(): Promise<{ near: net.Socket; far: net.Socket; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const far = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  const near = await accepted;
  return { near, far, close: () => (near.destroy(), far.destroy(), server.close()) };
}

/** Inflate everything `socket` receives into one growing string. */
function inflated(socket: net.Socket): { text: () => string; ended: Promise<void> } {
  let text = "";
  const inflater = zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  inflater.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
  socket.pipe(inflater);
  return { text: () => text, ended: new Promise((resolve) => inflater.once("end", resolve)) };
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("wire: DeflateStream", () => {
  it("writes each chunk decodable at once, reads the peer's DEFLATE, and inflates octets received before the switch first", async () => {
    const { near, far, close } = await socketPair();
    try {
      const deflater = zlib.createDeflateRaw();
      const compressed: Buffer[] = [];
      deflater.on("data", (chunk: Buffer) => compressed.push(chunk));
      deflater.write("first line\r\n");
      await new Promise<void>((resolve) => deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()));
      const early = Buffer.concat(compressed.splice(0));
      const stream = new DeflateStream(near, early);
      let read = "";
      stream.on("data", (chunk: Buffer) => (read += chunk.toString("latin1")));
      deflater.on("data", (chunk: Buffer) => far.write(chunk));
      deflater.write("second line\r\n");
      deflater.flush(zlib.constants.Z_SYNC_FLUSH);
      await until(() => read === "first line\r\nsecond line\r\n");

      const peer = inflated(far);
      stream.write("* OK one\r\n");
      await until(() => peer.text() === "* OK one\r\n");
      stream.write("* OK two\r\n");
      await until(() => peer.text() === "* OK one\r\n* OK two\r\n");
    } finally {
      close();
    }
  });

  it("end() delivers the last write before the FIN", async () => {
    const { near, far, close } = await socketPair();
    try {
      const stream = new DeflateStream(near);
      const peer = inflated(far);
      stream.write("* BYE logging out\r\n");
      stream.end("a1 OK LOGOUT completed\r\n");
      await peer.ended;
      expect(peer.text()).to.equal("* BYE logging out\r\na1 OK LOGOUT completed\r\n");
    } finally {
      close();
    }
  });

  it("stops inflating while its reader is paused: a zip bomb is not decoded ahead of the reader", async () => {
    const { near, far, close } = await socketPair();
    try {
      const stream = new DeflateStream(near);
      let taken = 0;
      let pausedOnce = false;
      stream.on("data", (chunk: Buffer) => {
        taken += chunk.length;
        if (taken > 1 << 20 && !pausedOnce) {
          pausedOnce = true;
          stream.pause();
        }
      });
      const bomb = zlib.deflateRawSync(Buffer.alloc(64 << 20), { level: 9 });
      far.write(bomb);
      await until(() => stream.isPaused());
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Paused at ~1 MiB: what is inflated but not read is bounded by the stream buffers, far from 64 MiB.
      expect(taken + stream.readableLength).to.be.lessThan(4 << 20);
      stream.resume();
      await until(() => taken === 64 << 20 || stream.destroyed);
      expect(taken).to.equal(64 << 20);
    } finally {
      close();
    }
  });
});

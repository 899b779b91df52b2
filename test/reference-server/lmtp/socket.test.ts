// The LMTP listener on a Unix-domain socket (config listen.lmtpSocket): the
// same engine as the TCP port — greeting, LHLO, one reply per recipient,
// delivery into the store — reached over the path; a file at the path that
// is not a socket is never replaced; the socket is gone after close.

import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestServer, type TestServer } from "../support/server.ts";

/** One client on a socket path: lines in, a reply (possibly multiline) out. */
async function socketClient(socketPath: string): Promise<{ reply(): Promise<string[]>; send(text: string): void; close(): void }> {
  const socket = net.connect({ path: socketPath });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let buffered = "";
  const waiting: (() => void)[] = [];
  socket.on("data", (data) => {
    buffered += data.toString("latin1");
    waiting.splice(0).forEach((wake) => wake());
  });
  const reply = async (): Promise<string[]> => {
    for (;;) {
      // A reply ends with a line whose fourth character is a space (RFC 5321 §4.2.1).
      const match = /^((?:\d{3}-[^\r\n]*\r\n)*\d{3} [^\r\n]*\r\n)/.exec(buffered);
      if (match) {
        buffered = buffered.slice(match[1]!.length);
        return match[1]!.trimEnd().split("\r\n");
      }
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply; have ${JSON.stringify(buffered)}`)), 5000);
        waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { reply, send: (text) => void socket.write(text), close: () => socket.destroy() };
}

describe("LMTP listener on a Unix-domain socket (reference server)", function () {
  let dir: string;
  let socketPath: string;
  let server: TestServer;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-lmtp-sock-"));
    socketPath = path.join(dir, "lmtp.sock");
    server = await startTestServer((config) => {
      config.listen.lmtpSocket = socketPath;
    });
  });
  after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("says where it listens, and serves LHLO and DATA with one reply per recipient over the path", async () => {
    expect(server.lmtpSocket).to.equal(socketPath);
    expect((await stat(socketPath)).isSocket()).to.equal(true);
    const client = await socketClient(socketPath);
    const before = server.store.deliveries.length;
    try {
      expect((await client.reply())[0]).to.match(/^220 .* LMTP /);
      client.send("LHLO client.test\r\n");
      const lhlo = await client.reply();
      expect(lhlo.map((l) => l.slice(4))).to.include.members(["PIPELINING", "ENHANCEDSTATUSCODES", "CHUNKING"]);
      client.send("MAIL FROM:<alice@example.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
      for (const code of ["250", "250", "250", "354"]) expect((await client.reply())[0]!.slice(0, 3)).to.equal(code);
      client.send("Subject: over the socket\r\n\r\nhello\r\n.\r\n");
      expect([(await client.reply())[0], (await client.reply())[0]]).to.deep.equal(["250 2.0.0 <alice@example.test> delivered", "250 2.0.0 <bob@example.test> delivered"]);
      expect(server.store.deliveries.slice(before).map((d) => d.user).sort()).to.deep.equal(["alice", "bob"]);
    } finally {
      client.close();
    }
  });

  it("refuses to start over a file that is not a socket, and leaves the file alone", async () => {
    const notASocket = path.join(dir, "not-a-socket");
    await writeFile(notASocket, "keep me");
    let error: unknown;
    try {
      const other = await startTestServer((config) => {
        config.listen.lmtpSocket = notASocket;
      });
      await other.stop();
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/exists and is not a socket/);
    expect((await stat(notASocket)).isFile()).to.equal(true);
  });

  it("removes the socket when it closes", async () => {
    const closing = await startTestServer((config) => {
      config.listen.lmtpSocket = path.join(dir, "closing.sock");
    });
    await closing.stop();
    let gone = false;
    await stat(path.join(dir, "closing.sock")).catch(() => (gone = true));
    expect(gone).to.equal(true);
  });
});

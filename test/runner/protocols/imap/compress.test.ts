// The runner's side of IMAP COMPRESS (RFC 4978): an OK to `COMPRESS DEFLATE`
// switches the test's connection to raw DEFLATE both ways right after the
// OK's CRLF — even when the server's first compressed octets arrive in the
// same packet as the OK — and a NO leaves it plain. The server here is a few
// lines of node:zlib, not the reference server, so both ends are not the
// same code.
// Standards: RFC 4978 §3.

import { expect } from "chai";
import net from "node:net";
import zlib from "node:zlib";
import * as A from "../../../support/ast.ts";

/** A one-connection IMAP server: answers COMPRESS with `answer`, then every command with "<tag> OK <verb> done", compressed or not. */
async function compressingServer(answer: "OK" | "NO"): Promise<{ port: number; commands: string[]; close(): Promise<void> }> {
  const commands: string[] = [];
  const server = net.createServer((socket) => {
    let inflater: zlib.InflateRaw | null = null;
    let deflater: zlib.DeflateRaw | null = null;
    let pending = "";
    const out = (text: string): void => {
      if (!deflater) return void socket.write(text);
      deflater.write(text);
      deflater.flush(zlib.constants.Z_SYNC_FLUSH);
    };
    const lines = (text: string): void => {
      pending += text;
      for (let end = pending.indexOf("\r\n"); end !== -1; end = pending.indexOf("\r\n")) {
        const command = pending.slice(0, end);
        pending = pending.slice(end + 2);
        commands.push(`${deflater ? "deflated" : "plain"}: ${command}`);
        const [tag, verb] = command.split(" ");
        if (verb === "COMPRESS" && answer === "OK") {
          // The OK and the first compressed response leave in one write.
          deflater = zlib.createDeflateRaw();
          const chunks: Buffer[] = [];
          deflater.on("data", (chunk: Buffer) => chunks.push(chunk));
          deflater.write("* OK [ALERT] compressed from here\r\n");
          deflater.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            socket.write(Buffer.concat([Buffer.from(`${tag} OK DEFLATE active\r\n`), ...chunks]));
            deflater!.removeAllListeners("data");
            deflater!.on("data", (chunk: Buffer) => socket.write(chunk));
          });
          inflater = zlib.createInflateRaw();
          inflater.on("data", (chunk: Buffer) => lines(chunk.toString("latin1")));
          continue;
        }
        out(`${tag} ${verb === "COMPRESS" ? "NO" : "OK"} ${verb} done\r\n`);
      }
    };
    socket.on("data", (chunk: Buffer) => (inflater ? inflater.write(chunk) : lines(chunk.toString("latin1"))));
    socket.on("error", () => {});
    socket.write("* OK ready\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("exec: IMAP COMPRESS DEFLATE switches the connection", () => {
  it("after the OK, commands go out deflated and responses are inflated, including those in the OK's packet", async () => {
    const server = await compressingServer("OK");
    try {
      const { result } = await A.run(
        A.testCase("imap", [A.send("COMPRESS DEFLATE"), A.imap("OK"), A.send("NOOP"), A.imap("OK", { untagged: [A.must("* OK [ALERT] ...")] }), A.send("CAPABILITY"), A.imap("OK")]),
        A.target("imap", server.port),
      );
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(server.commands).to.deep.equal(["plain: A1 COMPRESS DEFLATE", "deflated: A2 NOOP", "deflated: A3 CAPABILITY"]);
      expect(result.transcript.filter((l) => l.note?.kind === "compression")).to.have.length(1);
      expect(A.wire(result)).to.include("S: * OK [ALERT] compressed from here");
    } finally {
      await server.close();
    }
  });

  it("after a NO, the connection stays plain", async () => {
    const server = await compressingServer("NO");
    try {
      const { result } = await A.run(A.testCase("imap", [A.send("COMPRESS DEFLATE"), A.imap("NO"), A.send("NOOP"), A.imap("OK")]), A.target("imap", server.port));
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(server.commands).to.deep.equal(["plain: A1 COMPRESS DEFLATE", "plain: A2 NOOP"]);
    } finally {
      await server.close();
    }
  });
});

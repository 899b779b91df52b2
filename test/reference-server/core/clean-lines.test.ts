// Connection.takeCleanLines, SMTP DATA's bulk path, over a real socket: it
// takes only complete lines that need no look one by one (CRLF-ended, no other
// CR or LF, no leading ".", not over the length given) and leaves every other
// line, byte for byte, to takeLine; the octets it takes leave the memory budget.
// Standards: RFC 5321 §4.1.1.4 (CRLF "." CRLF), §4.5.2 (dot-stuffing), §4.5.3.1.6 (998 octets), §2.3.8 (bare CR / LF).

import { expect } from "chai";
import net from "node:net";
import { Connection, type ReadLine } from "../../../reference-server/core/connection.ts";
import { MemoryBudget } from "../../../reference-server/core/memory-budget.ts";

/** A Connection on the server end of a loopback socket that has received `data` (all of it buffered). */
async function connectionHolding(data: Buffer): Promise<{ conn: Connection; memory: MemoryBudget; done: () => void }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  const socket = await accepted;
  const memory = new MemoryBudget(Infinity);
  const conn = new Connection(socket, { id: "test", maxBufferedLineOctets: 4096, log: null, memory });
  client.end(data);
  await new Promise((resolve) => socket.once("end", resolve));
  return {
    conn,
    memory,
    done: () => {
      client.destroy();
      socket.destroy();
      server.close();
    },
  };
}

function text(line: ReadLine | null): string {
  return line === null || line === "line-too-long" ? String(line) : line.bytes.toString("latin1") + `<${line.ending}>`;
}

describe("Connection.takeCleanLines (SMTP DATA bulk path)", () => {
  it("takes the plain lines in one piece and stops before a dot-stuffed line", async () => {
    const { conn, memory, done } = await connectionHolding(Buffer.from("Subject: a\r\n\r\nbody\r\n..dot\r\nafter\r\n.\r\n"));
    try {
      const held = memory.held;
      const clean = conn.takeCleanLines(998, 100);
      expect(clean?.bytes.toString("latin1")).to.equal("Subject: a\r\n\r\nbody\r\n");
      expect(clean?.lines).to.equal(3);
      expect(held - memory.held, "octets taken leave the budget").to.equal(20);
      expect(conn.takeCleanLines(998, 100), "a dot-stuffed line is takeLine's").to.equal(null);
      expect(text(conn.takeLine(999))).to.equal("..dot<crlf>");
      expect(conn.takeCleanLines(998, 100)?.bytes.toString("latin1")).to.equal("after\r\n");
      expect(conn.takeCleanLines(998, 100), "the terminator is takeLine's").to.equal(null);
      expect(text(conn.takeLine(999))).to.equal(".<crlf>");
    } finally {
      done();
    }
  });

  for (const [title, data, cleanPart] of [
    ["a bare LF", "one\r\ntwo\nthree\r\n", "one\r\n"],
    ["a bare CR inside a line", "one\r\nt\rwo\r\n", "one\r\n"],
    ["a line longer than the limit", `one\r\n${"x".repeat(11)}\r\n`, "one\r\n"],
    ["an incomplete last line", "one\r\ntwo", "one\r\n"],
    ["a CR that may still get its LF", "one\r\ntwo\r", "one\r\n"],
  ] as const) {
    it(`stops before ${title}, and takeLine reads the rest unchanged`, async () => {
      const { conn, done } = await connectionHolding(Buffer.from(data));
      try {
        expect(conn.takeCleanLines(10, 100)?.bytes.toString("latin1")).to.equal(cleanPart);
        expect(conn.takeCleanLines(10, 100)).to.equal(null);
        let rest = "";
        for (let line = conn.takeLine(4096); line !== null; line = conn.takeLine(4096)) rest += text(line);
        const expected = data.slice(cleanPart.length).split(/(?<=\n)/).filter((l) => l.endsWith("\n"));
        expect(rest).to.equal(expected.map((l) => (l.endsWith("\r\n") ? `${l.slice(0, -2)}<crlf>` : `${l.slice(0, -1)}<lf>`)).join(""));
      } finally {
        done();
      }
    });
  }

  it("takes at most the number of lines asked for", async () => {
    const { conn, done } = await connectionHolding(Buffer.from("a\r\nb\r\nc\r\n"));
    try {
      expect(conn.takeCleanLines(998, 2)).to.deep.include({ lines: 2 });
      expect(conn.takeCleanLines(998, 2)?.bytes.toString("latin1")).to.equal("c\r\n");
    } finally {
      done();
    }
  });
});

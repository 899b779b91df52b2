// The session driver's wait between commands, over a real socket: a parked
// read (Connection.lineOrPark) holds no promise, is resumed on a later tick
// by input, the peer's close or its deadline, keeps one deadline for the
// whole line, and leaves no timer behind; a handler that returns LineAwaited
// gets the client's next line instead of the parser, parked the same way.
// Standards: RFC 5321 §4.5.3.2 (timeouts), RFC 3501 §5.4 (autologout), RFC 2177 §3 (IDLE ends with DONE).

import { expect } from "chai";
import net from "node:net";
import { Admission } from "../../../reference-server/core/admission.ts";
import { commandTable, type LineAwaited } from "../../../reference-server/core/command-table.ts";
import { Connection, LINE_TOO_LONG, PARKED, PeerClosed, ReadTimeout, type ReadLine } from "../../../reference-server/core/connection.ts";
import type { ServerContext } from "../../../reference-server/core/context.ts";
import { MemoryBudget } from "../../../reference-server/core/memory-budget.ts";
import { splitCommandLine, startSession, type Engine, type SessionBase } from "../../../reference-server/core/session.ts";

/** A Connection on the server end of a loopback socket, and the client end. */
async function connectedPair(): Promise<{ conn: Connection; client: net.Socket; done: () => void }> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
  const socket = await accepted;
  const conn = new Connection(socket, { id: "test", maxBufferedLineOctets: 4096, log: null, memory: new MemoryBudget(Infinity) });
  return {
    conn,
    client,
    done: () => {
      client.destroy();
      socket.destroy();
      server.close();
    },
  };
}

/** A ParkedReader that counts its wake-ups and lets a test await the next one. */
class Reader {
  resumed = 0;
  private waiting: (() => void) | null = null;
  resume(): void {
    this.resumed++;
    this.waiting?.();
    this.waiting = null;
  }
  next(): Promise<void> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

const text = (line: ReadLine | typeof PARKED | Promise<ReadLine>) =>
  line === PARKED || line === LINE_TOO_LONG || line instanceof Promise ? String(line) : line.bytes.toString("latin1");

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("Connection.lineOrPark (the driver's wait between commands)", () => {
  it("parks with no line, is resumed on a later tick once one arrives, and returns it", async () => {
    const { conn, client, done } = await connectedPair();
    try {
      const reader = new Reader();
      expect(conn.lineOrPark(100, 60_000, reader)).to.equal(PARKED);
      const woken = reader.next();
      client.write("NOOP\r\n");
      await woken;
      expect(reader.resumed).to.equal(1);
      expect(text(conn.lineOrPark(100, 60_000, reader))).to.equal("NOOP");
      client.write("ONE\r\nTWO\r\n");
      expect(conn.lineOrPark(100, 60_000, reader)).to.equal(PARKED);
      await reader.next();
      expect(text(conn.lineOrPark(100, 60_000, reader)), "buffered lines come without parking").to.equal("ONE");
      expect(text(conn.lineOrPark(100, 60_000, reader))).to.equal("TWO");
    } finally {
      done();
    }
  });

  it("keeps one deadline for the whole line: octets trickling in do not extend it", async () => {
    const { conn, client, done } = await connectedPair();
    const trickle = setInterval(() => client.write("x"), 20);
    try {
      const reader = new Reader();
      let outcome: unknown = null;
      while (outcome === null) {
        try {
          const read = conn.lineOrPark(100, 150, reader);
          if (read !== PARKED) outcome = read;
          else await reader.next();
        } catch (error) {
          outcome = error;
        }
      }
      expect(outcome).to.be.instanceOf(ReadTimeout);
      expect((outcome as ReadTimeout).ms).to.equal(150);
      expect(reader.resumed, "each octet woke the reader, none restarted the deadline").to.be.greaterThan(1);
    } finally {
      clearInterval(trickle);
      done();
    }
  });

  it("is resumed when the peer hangs up, then throws PeerClosed, and leaves no deadline timer behind", async () => {
    const { conn, client, done } = await connectedPair();
    try {
      const reader = new Reader();
      const before = timers();
      expect(conn.lineOrPark(100, 600_000, reader)).to.equal(PARKED);
      expect(timers(), "one timer for the parked read's deadline").to.equal(before + 1);
      const woken = reader.next();
      client.destroy();
      await woken;
      expect(() => conn.lineOrPark(100, 600_000, reader)).to.throw(PeerClosed);
      expect(timers(), "the deadline timer is gone with the read").to.equal(before);
    } finally {
      done();
    }
  });
});

describe("session driver: a handler that returns LineAwaited", () => {
  interface TestSession extends SessionBase {
    awaited: string[];
  }

  const engine: Engine<TestSession> = {
    protocol: "test",
    table: commandTable<TestSession>([
      {
        verb: "WAIT",
        states: ["any"],
        handle(s): LineAwaited<TestSession> {
          s.conn.write("+ waiting\r\n");
          return {
            timeoutMs: 60_000,
            line(session, line) {
              const got = line === LINE_TOO_LONG ? "<too long>" : line.bytes.toString("latin1");
              session.awaited.push(got);
              session.conn.write(`OK awaited ${got}\r\n`);
            },
          };
        },
      },
      { verb: "ECHO", states: ["any"], handle: (s, c) => s.conn.write(`OK echo ${c.args}\r\n`) },
    ]),
    vocabulary: { failure: (_s, error) => `ERR ${error.message}\r\n` },
    maxCommandLineOctets: 100,
    commandTimeoutMs: 60_000,
    maxBadCommands: 10,
    open: (conn, context) => ({ conn, context, awaited: [] }),
    greet: (s) => s.conn.write("HELLO\r\n"),
    parse: (line) => splitCommandLine(line),
    state: () => "any",
    tlsRequired: () => false,
  };

  it("hands the next line to the command, not the parser, then parses commands again", async () => {
    const { conn, client, done } = await connectedPair();
    try {
      const context = { log: null, memory: new MemoryBudget(Infinity), admission: new Admission({ maxTotal: 10, maxPerAddress: 10 }) } as unknown as ServerContext;
      const handle = startSession(engine, conn, context);
      let received = "";
      client.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
      const until = async (pattern: RegExp) => {
        while (!pattern.test(received)) await new Promise((resolve) => client.once("data", resolve));
      };
      await until(/HELLO\r\n/);
      client.write("WAIT\r\n");
      await until(/\+ waiting\r\n/);
      client.write("ECHO not a command\r\nECHO this one is\r\n");
      await until(/OK echo this one is\r\n/);
      expect(received).to.equal("HELLO\r\n+ waiting\r\nOK awaited ECHO not a command\r\nOK echo this one is\r\n");
      client.end();
      await handle.done;
    } finally {
      done();
    }
  });
});

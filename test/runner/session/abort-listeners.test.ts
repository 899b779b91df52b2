// A test's abort signal is shared by every connection the test opens; a
// retry block may open dozens one after another. A connection that is closed
// (by the client, or by a server that hangs up) must take its abort listener
// off the signal, or a long retry trips Node's MaxListenersExceededWarning
// and holds every dead connection until the test ends.

import { expect } from "chai";
import { getEventListeners } from "node:events";
import net from "node:net";
import { Connection, DEFAULT_READ_LIMITS } from "../../../runner/session/connection.ts";
import { Transcript } from "../../../runner/session/transcript.ts";
import { Deadline } from "../../../wire/deadline.ts";

describe("session/connection: abort listeners", function () {
  let server: net.Server;
  let port: number;
  before(async () => {
    // Greets, then hangs up: the server side of a retry attempt that failed.
    server = net.createServer((socket) => socket.end("+OK hello\r\n"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const open = (signal: AbortSignal) =>
    Connection.open({ name: "box", host: "127.0.0.1", port, implicitTls: false, insecure: false, transcript: new Transcript(Date.now(), () => {}, []), limits: DEFAULT_READ_LIMITS, deadline: new Deadline(2000), signal });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

  it("leaves no listener on the test's signal once 20 connections are closed, by either side", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 10; i++) {
      const conn = await open(controller.signal);
      conn.close();
    }
    for (let i = 0; i < 10; i++) await open(controller.signal); // the server hangs up; the client never closes
    await settle();
    expect(getEventListeners(controller.signal, "abort")).to.have.length(0);
  });

  it("keeps the listener while a connection is open, so an abort still ends a wait on it", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const controller = new AbortController();
    const conn = await Connection.open({ name: "box", host: "127.0.0.1", port: (silent.address() as net.AddressInfo).port, implicitTls: false, insecure: false, transcript: new Transcript(Date.now(), () => {}, []), limits: DEFAULT_READ_LIMITS, deadline: new Deadline(2000), signal: controller.signal });
    try {
      expect(getEventListeners(controller.signal, "abort")).to.have.length(1);
    } finally {
      conn.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
    expect(getEventListeners(controller.signal, "abort")).to.have.length(0);
  });
});

// Hostile peers: many idle connections, a flood of pipelined garbage, and a
// line that never ends — the server stays up and keeps serving others.

import { expect } from "chai";
import * as net from "node:net";
import { removeTestDataDir, startTestServer, type TestServer } from "./support/server.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";

describe("hostile clients (reference server)", function () {
  this.timeout(30_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  it("holds 500 idle connections and still serves a new one", async () => {
    const sockets = await Promise.all(
      Array.from({ length: 500 }, () => new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(server.ports.smtp, "127.0.0.1", () => resolve(s));
        s.on("error", reject);
      })),
    );
    try {
      const client = await LineClient.connect({ port: server.ports.smtp });
      expect((await readSmtpReply(client)).code).to.equal(220);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      client.close();
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it("skips a line that never ends in bounded memory and answers 500 once it does", async () => {
    const client = await LineClient.connect({ port: server.ports.smtp });
    try {
      await readSmtpReply(client);
      for (let i = 0; i < 64; i++) client.send("A".repeat(16 * 1024));
      client.send("\r\n");
      const reply = await readSmtpReply(client);
      expect(reply.code).to.equal(500);
      expect(reply.text).to.match(/^5\.5\.2 /);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
    } finally {
      client.close();
    }
  });

  it("answers every line of a pipelined flood of junk, then ends the session at the error limit", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await client.readLine();
      client.send("JUNK\r\n".repeat(200));
      let errors = 0;
      while (!(await client.closed(0).catch(() => false))) {
        const line = await client.readLine().catch(() => null);
        if (line === null) break;
        expect(line).to.match(/^-ERR /);
        errors++;
      }
      expect(errors).to.be.at.least(50);
      expect(errors).to.be.at.most(51);
    } finally {
      client.close();
    }
  });
});

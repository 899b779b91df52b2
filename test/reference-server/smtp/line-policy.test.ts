// The SMTP command reader's line policy on the reference server: a bare LF
// does not end a command line, octets that are not UTF-8 are refused, and a
// client that vanishes after the STARTTLS go-ahead frees its session at once
// (not after the handshake timeout). Found by suites/smtp/robustness.
// Standards: RFC 5321 §2.3.8, §2.4; RFC 6531 §3.3; RFC 3207 §4.

import { expect } from "chai";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

describe("SMTP command line policy (reference server)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  async function session(body: (client: LineClient) => Promise<void>): Promise<void> {
    const client = await LineClient.connect({ port: server.ports.smtp });
    try {
      expect((await readSmtpReply(client)).code).to.equal(220);
      expect((await smtpCommand(client, "EHLO client.test")).code).to.equal(250);
      await body(client);
    } finally {
      client.close();
    }
  }

  it("refuses a command ended by a bare LF with 500 5.5.2 instead of running it", async () => {
    await session(async (client) => {
      client.send("RSET\nQUIT\r\n");
      const refused = await readSmtpReply(client);
      expect(refused.code).to.equal(500);
      expect(refused.text).to.match(/^5\.5\.2 /);
      expect((await readSmtpReply(client)).code, "the CRLF-ended rest is a command of its own").to.equal(221);
    });
  });

  it("refuses a command line that is not UTF-8 with 500 5.5.2, and goes on", async () => {
    await session(async (client) => {
      client.send(Buffer.from("EHLO \xff\xfe.example\r\n", "latin1"));
      const refused = await readSmtpReply(client);
      expect(refused.code).to.equal(500);
      expect(refused.text).to.match(/^5\.5\.2 /);
      expect((await smtpCommand(client, "EHLO caf\u00e9.example")).code, "valid UTF-8 (a U-label) is still accepted").to.equal(250);
    });
  });

  it("ends the session of a client that vanishes after the STARTTLS go-ahead without waiting for the handshake timeout", async () => {
    const before = Date.now();
    await session(async (client) => {
      expect((await smtpCommand(client, "STARTTLS")).code).to.equal(220);
    });
    // stop() waits for every session; the handshake timeout is 30 s, so a lingering session would show here.
    const stopped = await server.stop().then(() => Date.now() - before);
    expect(stopped).to.be.below(5000);
    server = await startTestServer();
  });
});

// Connection and session limits refuse cleanly: over the per-address or
// total connection limit a client gets its protocol's fatal reply (SMTP 421,
// POP3 -ERR, IMAP BYE) and a close, and the slot frees once someone leaves;
// a user over the IMAP per-user limit gets NO [LIMIT] and keeps the session;
// a second POP3 session of a user gets -ERR [IN-USE].
// Standards: RFC 5321 §3.1 and §4.2.2 (421), RFC 1939 §3 and §8, RFC 2449 §8 / RFC 3206 (IN-USE), RFC 3501 §7.1.5 (BYE), RFC 5530 (LIMIT).

import { expect } from "chai";
import { parseConfig } from "../../reference-server/config/load.ts";
import { MAX_CONNECTIONS_PER_ADDRESS } from "../../reference-server/config/defaults.ts";
import { Admission } from "../../reference-server/core/admission.ts";
import { sessionsEnded, startTestServer, type TestServer } from "../reference-server/support/server.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { pop3Command, readSmtpReply } from "../../runner/session/line-replies.ts";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";
import { loggedIn } from "../reference-server/imap/support/imap-server.ts";

describe("security: connection and session limits", () => {
  it("the limits come from the config file, merged over documented defaults", () => {
    const config = parseConfig("connections: { maxTotal: 10 }\nimap: { maxSessionsPerUser: 3 }\n", "limits.yaml");
    expect(config.connections).to.deep.equal({ maxTotal: 10, maxPerAddress: MAX_CONNECTIONS_PER_ADDRESS });
    expect(config.imap.maxSessionsPerUser).to.equal(3);
    expect(() => parseConfig("connections: { maxPerIp: 3 }\n", "limits.yaml")).to.throw(/limits\.yaml:1:\d+: unknown key "maxPerIp"/);
    expect(() => parseConfig("connections: { maxTotal: 0 }\n", "limits.yaml")).to.throw(/limits\.yaml:1/);
  });

  it("Admission counts per address and in total, and releases exactly once", () => {
    const a = new Admission({ maxTotal: 3, maxPerAddress: 2 });
    const x1 = a.admit("10.0.0.1");
    const x2 = a.admit("10.0.0.1");
    const x3 = a.admit("10.0.0.1");
    expect([x1.refusal, x2.refusal, x3.refusal]).to.deep.equal([null, null, "per-address"]);
    expect(a.admit("10.0.0.2").refusal).to.equal("total");
    x3.release();
    x3.release();
    expect(a.connections).to.equal(3);
    x1.release();
    expect(a.admit("10.0.0.3").refusal).to.equal(null);
    const slot = a.claimUser("imap", "alice", 1)!;
    expect(a.claimUser("imap", "alice", 1)).to.equal(null);
    expect(a.claimUser("imap", "bob", 1)).not.to.equal(null);
    slot();
    slot();
    expect(a.claimUser("imap", "alice", 1)).not.to.equal(null);
  });

  describe("on the wire", () => {
    let server: TestServer;
    const open: LineClient[] = [];
    before(async () =>
      (server = await startTestServer((c) => {
        c.connections.maxPerAddress = 3;
        c.connections.maxTotal = 100;
        c.imap.maxSessionsPerUser = 2;
      })),
    );
    afterEach(() => open.splice(0).forEach((c) => c.close()));
    after(() => server.stop());

    it("the connection over the per-address limit gets 421 / -ERR / BYE and is closed, on every protocol", async () => {
      // Three held connections spread over the protocols: the limit counts all ports together.
      for (const port of [server.ports.smtp, server.ports.pop3, server.ports.imap!]) {
        const c = await LineClient.connect({ port });
        await c.readLine();
        open.push(c);
      }
      const smtp = await LineClient.connect({ port: server.ports.smtp });
      expect((await readSmtpReply(smtp)).code).to.equal(421);
      await smtp.closed();
      const pop = await LineClient.connect({ port: server.ports.pop3 });
      expect(await pop.readLine()).to.match(/^-ERR /);
      await pop.closed();
      const imap = await LineClient.connect({ port: server.ports.imap! });
      expect(await imap.readLine()).to.match(/^\* BYE /);
      await imap.closed();
      // Once one leaves, a newcomer is greeted normally (a refused connection holds its slot until its session ends too).
      const leaving = open.pop()!;
      leaving.close();
      await sessionsEnded(server, leaving, smtp, pop, imap);
      const again = await LineClient.connect({ port: server.ports.smtp });
      expect((await readSmtpReply(again)).code).to.equal(220);
      again.close();
    });

    it("a user's IMAP session over the per-user limit gets NO [LIMIT] and may still log in as someone else", async () => {
      const a1 = await loggedIn(server.ports.imap!);
      const a2 = await loggedIn(server.ports.imap!);
      open.push(a1, a2);
      const a3 = await ImapLineClient.connect({ port: server.ports.imap! });
      open.push(a3);
      const refused = await a3.run("LOGIN alice alice-pw");
      expect(refused.tagged).to.match(/^\S+ NO \[LIMIT\]/);
      expect((await a3.run("LOGIN bob bob-pw")).status).to.equal("OK");
      // A slot comes back when a session ends.
      a1.close();
      await sessionsEnded(server, a1);
      const a4 = await ImapLineClient.connect({ port: server.ports.imap! });
      open.push(a4);
      expect((await a4.run("LOGIN alice alice-pw")).status).to.equal("OK");
    });

    it("a second POP3 session of the same user gets -ERR [IN-USE]", async () => {
      const p1 = await LineClient.connect({ port: server.ports.pop3 });
      await p1.readLine();
      open.push(p1);
      await pop3Command(p1, "USER alice");
      expect(await pop3Command(p1, "PASS alice-pw")).to.match(/^\+OK/);
      const p2 = await LineClient.connect({ port: server.ports.pop3 });
      await p2.readLine();
      open.push(p2);
      await pop3Command(p2, "USER alice");
      expect(await pop3Command(p2, "PASS alice-pw")).to.match(/^-ERR \[IN-USE\]/);
    });
  });

  it("the total limit counts every protocol and address together", async () => {
    const server = await startTestServer((c) => {
      c.connections.maxTotal = 2;
    });
    const held: LineClient[] = [];
    try {
      for (const port of [server.ports.imap!, server.ports.pop3]) {
        const c = await LineClient.connect({ port });
        await c.readLine();
        held.push(c);
      }
      const over = await LineClient.connect({ port: server.ports.smtp });
      held.push(over);
      const reply = await readSmtpReply(over);
      expect(reply.code).to.equal(421);
      expect(reply.text).to.match(/^4\.7\.0 /);
    } finally {
      held.forEach((c) => c.close());
      await server.stop();
    }
  });
});

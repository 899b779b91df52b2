// STARTTLS (with the command-injection attack), implicit TLS, and SMTP AUTH
// (PLAIN, LOGIN, CRAM-MD5, cancel, failure delay, policy) over real sockets.

import { expect } from "chai";
import { createHmac } from "node:crypto";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const ALICE_PLAIN = b64("\0alice\0alice-pw");

async function greeted(port: number, options: { tls?: boolean } = {}): Promise<LineClient> {
  const client = await LineClient.connect({ port, ...options, insecure: true });
  expect((await readSmtpReply(client)).code).to.equal(220);
  return client;
}

describe("SMTP STARTTLS and AUTH (reference server)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  it("discards commands pipelined behind STARTTLS and all session state", async () => {
    const client = await greeted(server.ports.smtp);
    try {
      expect((await smtpCommand(client, "EHLO client.test")).lines).to.include("250-STARTTLS");
      // The injection: a command in the same packet as STARTTLS, meant to run after the handshake.
      client.send("STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n");
      const go = await readSmtpReply(client);
      expect(go.code).to.equal(220);
      expect(go.text).to.match(/^2\.0\.0 /);
      await client.startTls();
      // Replies come in order: a reply to the injected MAIL would be read here instead of NOOP's.
      expect((await smtpCommand(client, "NOOP")).code, "no reply to the injected command").to.equal(250);
      // The EHLO argument was forgotten: MAIL needs a new EHLO (RFC 3207 §4.2).
      expect((await smtpCommand(client, "MAIL FROM:<a@b.test>")).code).to.equal(503);
      const ehlo = await smtpCommand(client, "EHLO client.test");
      expect(ehlo.code).to.equal(250);
      expect(ehlo.lines.join("\n")).not.to.include("STARTTLS");
      expect((await smtpCommand(client, "STARTTLS")).code).to.equal(503);
      expect((await smtpCommand(client, "MAIL FROM:<a@b.test>")).code).to.equal(250);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      await smtpCommand(client, "DATA");
      expect((await smtpCommand(client, "tls\r\n.")).code).to.equal(250);
      expect(server.store.deliveries.at(-1)!.message.toString()).to.match(/with ESMTPS id /);
    } finally {
      client.close();
    }
  });

  it("serves SMTP with implicit TLS on the SMTPS port", async () => {
    const client = await greeted(server.ports.smtps, { tls: true });
    try {
      const ehlo = await smtpCommand(client, "EHLO client.test");
      expect(ehlo.code).to.equal(250);
      expect(ehlo.lines.join("\n")).not.to.include("STARTTLS");
      expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(235);
    } finally {
      client.close();
    }
  });

  it("accepts AUTH PLAIN with an initial response, refuses a second AUTH, and still denies relaying", async () => {
    const client = await greeted(server.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const ok = await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`);
      expect(ok.code).to.equal(235);
      expect(ok.text).to.match(/^2\.7\.0 /);
      expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(503);
      expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      const relay = await smtpCommand(client, "RCPT TO:<friend@elsewhere.test>");
      expect(relay.code).to.equal(550);
      expect(relay.text).to.match(/^5\.7\.1 /);
      expect((await smtpCommand(client, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      await smtpCommand(client, "DATA");
      expect((await smtpCommand(client, "authed\r\n.")).code).to.equal(250);
      expect(server.store.deliveries.at(-1)!.message.toString()).to.match(/with ESMTPA id /);
    } finally {
      client.close();
    }
  });

  it("runs AUTH PLAIN with an empty challenge and AUTH LOGIN step by step", async () => {
    const client = await greeted(server.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const empty = await smtpCommand(client, "AUTH PLAIN");
      expect(empty.lines).to.deep.equal(["334 "]);
      expect((await smtpCommand(client, b64("\0bob\0wrong"))).code).to.equal(535);
      const user = await smtpCommand(client, "AUTH LOGIN");
      expect(user.lines).to.deep.equal([`334 ${b64("Username:")}`]);
      expect((await smtpCommand(client, b64("bob"))).lines).to.deep.equal([`334 ${b64("Password:")}`]);
      expect((await smtpCommand(client, b64("bob-pw"))).code).to.equal(235);
    } finally {
      client.close();
    }
  });

  it("answers 535 5.7.8 to wrong credentials, 501 to '*' and to bad base64, and goes on", async () => {
    const client = await greeted(server.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const wrong = await smtpCommand(client, `AUTH PLAIN ${b64("\0alice\0nope")}`);
      expect(wrong.code).to.equal(535);
      expect(wrong.text).to.match(/^5\.7\.8 /);
      expect((await smtpCommand(client, `AUTH PLAIN ${b64("\0nobody\0x")}`)).code).to.equal(535);
      expect((await smtpCommand(client, `AUTH PLAIN ${b64("alice\0alice-pw")}`)).code).to.equal(535); // one NUL only
      expect((await smtpCommand(client, `AUTH PLAIN ${b64("bob\0alice\0alice-pw")}`)).code).to.equal(535); // authzid of someone else
      expect((await smtpCommand(client, "AUTH LOGIN")).code).to.equal(334);
      const cancel = await smtpCommand(client, "*");
      expect(cancel.code).to.equal(501);
      expect(cancel.text).to.match(/^5\.7\.0 /);
      const bad = await smtpCommand(client, "AUTH PLAIN !!!notbase64");
      expect(bad.code).to.equal(501);
      expect(bad.text).to.match(/^5\.5\.2 /);
      expect((await smtpCommand(client, "AUTH PLAIN =")).code).to.equal(535);
      expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(235);
    } finally {
      client.close();
    }
  });

  it("survives a client that vanishes mid-AUTH", async () => {
    const client = await greeted(server.ports.smtp);
    await smtpCommand(client, "EHLO client.test");
    expect((await smtpCommand(client, "AUTH LOGIN")).code).to.equal(334);
    client.close();
    const next = await greeted(server.ports.smtp);
    try {
      expect((await smtpCommand(next, "EHLO client.test")).code).to.equal(250);
    } finally {
      next.close();
    }
  });

  it("accepts CRAM-MD5", async () => {
    const client = await greeted(server.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const challenge = await smtpCommand(client, "AUTH CRAM-MD5");
      expect(challenge.code).to.equal(334);
      const text = Buffer.from(challenge.text, "base64").toString();
      expect(text).to.match(/^<.+@mail\.example\.test>$/);
      const digest = createHmac("md5", "alice-pw").update(text).digest("hex");
      expect((await smtpCommand(client, b64(`alice ${digest}`))).code).to.equal(235);
    } finally {
      client.close();
    }
  });

  it("pauses before answering a failed AUTH", async () => {
    const slow = await startTestServer((config) => (config.auth.failureDelayMs = 300));
    const client = await greeted(slow.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const started = Date.now();
      expect((await smtpCommand(client, `AUTH PLAIN ${b64("\0alice\0nope")}`)).code).to.equal(535);
      expect(Date.now() - started).to.be.at.least(250);
    } finally {
      client.close();
      await slow.stop();
    }
  });

  it("refuses plaintext AUTH before TLS when policy says never (538), allows it after STARTTLS", async () => {
    const strict = await startTestServer((config) => (config.auth.plaintextWithoutTls = "never"));
    const client = await greeted(strict.ports.smtp);
    try {
      const ehlo = await smtpCommand(client, "EHLO client.test");
      expect(ehlo.lines).to.include("250-AUTH CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256");
      const refused = await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`);
      expect(refused.code).to.equal(538);
      expect(refused.text).to.match(/^5\.7\.11 /);
      expect((await smtpCommand(client, "STARTTLS")).code).to.equal(220);
      await client.startTls();
      // After STARTTLS the -PLUS variants join: there is a channel to bind to (RFC 5802 §6).
      expect((await smtpCommand(client, "EHLO client.test")).lines).to.include("250-AUTH PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-256-PLUS");
      expect((await smtpCommand(client, `AUTH PLAIN ${ALICE_PLAIN}`)).code).to.equal(235);
    } finally {
      client.close();
      await strict.stop();
    }
  });

  it("answers 530 to mail commands before STARTTLS when TLS is required", async () => {
    const strict = await startTestServer((config) => (config.smtp.requireTls = true));
    const client = await greeted(strict.ports.smtp);
    try {
      await smtpCommand(client, "EHLO client.test");
      const refused = await smtpCommand(client, "MAIL FROM:<a@b.test>");
      expect(refused.code).to.equal(530);
      expect(refused.text).to.match(/^5\.7\.0 /);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      expect((await smtpCommand(client, "STARTTLS")).code).to.equal(220);
      await client.startTls();
      await smtpCommand(client, "EHLO client.test");
      expect((await smtpCommand(client, "MAIL FROM:<a@b.test>")).code).to.equal(250);
    } finally {
      client.close();
      await strict.stop();
    }
  });
});

// Passwords and TLS: with plaintextWithoutTls "never", no plaintext
// mechanism, USER/PASS or LOGIN works on a clear channel (IMAP advertises
// LOGINDISABLED) and all of them work after STARTTLS; commands pipelined
// behind STARTTLS/STLS are discarded, never run inside TLS (CVE-2011-0411);
// a client that hangs up after the go-ahead frees its session at once; and a
// failed authentication is answered no sooner than the configured delay.
// Standards: RFC 3207 §4.2, RFC 2595 §2.1 and §4, RFC 3501 §6.2.1 and §7.2.1 (LOGINDISABLED), RFC 4954 §4, RFC 8314 §5.1.

import { expect } from "chai";
import { Deadline } from "../../wire/deadline.ts";
import { sessionsEnded, startTestServer, type TestServer } from "../reference-server/support/server.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { pop3Command, readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";

const PLAIN_ALICE = Buffer.from("\0alice\0alice-pw").toString("base64");

describe("security: plaintext authentication before TLS (plaintextWithoutTls: never)", () => {
  let server: TestServer;
  before(async () => (server = await startTestServer((c) => (c.auth.plaintextWithoutTls = "never"))));
  after(() => server.stop());

  it("SMTP: AUTH PLAIN and LOGIN refused with 538 on the clear channel, accepted after STARTTLS", async () => {
    const c = await LineClient.connect({ port: server.ports.smtp, insecure: true });
    await readSmtpReply(c);
    const ehlo = await smtpCommand(c, "EHLO client.test");
    expect(ehlo.lines.join("\n")).not.to.match(/AUTH.*\b(PLAIN|LOGIN)\b/);
    expect((await smtpCommand(c, `AUTH PLAIN ${PLAIN_ALICE}`)).code).to.equal(538);
    expect((await smtpCommand(c, "AUTH LOGIN")).code).to.equal(538);
    expect((await smtpCommand(c, "STARTTLS")).code).to.equal(220);
    await c.startTls();
    await smtpCommand(c, "EHLO client.test");
    expect((await smtpCommand(c, `AUTH PLAIN ${PLAIN_ALICE}`)).code).to.equal(235);
    c.close();
  });

  it("POP3: USER/PASS and AUTH PLAIN refused on the clear channel, accepted after STLS", async () => {
    const c = await LineClient.connect({ port: server.ports.pop3, insecure: true });
    await c.readLine();
    const user = await pop3Command(c, "USER alice");
    const pass = user.startsWith("+OK") ? await pop3Command(c, "PASS alice-pw") : user;
    expect(pass).to.match(/^-ERR/);
    expect(await pop3Command(c, `AUTH PLAIN ${PLAIN_ALICE}`)).to.match(/^-ERR/);
    expect(await pop3Command(c, "STLS")).to.match(/^\+OK/);
    await c.startTls();
    expect(await pop3Command(c, "USER alice")).to.match(/^\+OK/);
    expect(await pop3Command(c, "PASS alice-pw")).to.match(/^\+OK/);
    c.close();
  });

  it("IMAP: LOGINDISABLED advertised, LOGIN and AUTHENTICATE PLAIN refused, both work after STARTTLS", async () => {
    const c = await ImapLineClient.connect({ port: server.ports.imap!, insecure: true });
    const caps = await c.run("CAPABILITY");
    expect(caps.untagged.join(" ")).to.match(/\bLOGINDISABLED\b/).and.not.match(/AUTH=PLAIN/);
    expect((await c.run("LOGIN alice alice-pw")).status).to.equal("NO");
    expect((await c.run(`AUTHENTICATE PLAIN ${PLAIN_ALICE}`)).status).to.be.oneOf(["NO", "BAD"]);
    expect((await c.run("STARTTLS")).status).to.equal("OK");
    await c.startTls();
    expect((await c.run("CAPABILITY")).untagged.join(" ")).not.to.match(/LOGINDISABLED/);
    expect((await c.run("LOGIN alice alice-pw")).status).to.equal("OK");
    c.close();
  });
});

describe("security: STARTTLS command injection", () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.stop());

  it("SMTP: a command pipelined behind STARTTLS is not run inside TLS", async () => {
    const c = await LineClient.connect({ port: server.ports.smtp, insecure: true });
    await readSmtpReply(c);
    await smtpCommand(c, "EHLO client.test");
    c.send("STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n");
    expect((await readSmtpReply(c)).code).to.equal(220);
    await c.startTls();
    // Replies come in order: had the MAIL run, its one-line reply would arrive before EHLO's multiline one.
    const ehlo = await smtpCommand(c, "EHLO client.test");
    expect(ehlo.code).to.equal(250);
    expect(ehlo.lines[0]).to.match(/^250-/);
    expect((await smtpCommand(c, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
    c.close();
  });

  it("POP3: a USER pipelined behind STLS is dropped, so PASS alone is out of sequence", async () => {
    const c = await LineClient.connect({ port: server.ports.pop3, insecure: true });
    await c.readLine();
    c.send("STLS\r\nUSER alice\r\n");
    expect(await c.readLine()).to.match(/^\+OK/);
    await c.startTls();
    // Replies come in order: had the USER run, its +OK would be read here instead of PASS's -ERR.
    expect(await pop3Command(c, "PASS alice-pw")).to.match(/^-ERR/);
    c.close();
  });

  it("IMAP: a LOGIN pipelined behind STARTTLS is not run, the session is still not authenticated", async () => {
    const c = await ImapLineClient.connect({ port: server.ports.imap!, insecure: true });
    c.send("s1 STARTTLS\r\ns2 LOGIN alice alice-pw\r\n");
    expect(await c.response()).to.match(/^s1 OK/);
    await c.startTls();
    // Had s2 run, its completion would arrive first, and run() refuses another tag's completion.
    expect((await c.run("SELECT INBOX")).status).to.equal("BAD");
    c.close();
  });

  for (const [protocol, greet, command] of [
    ["smtp", "EHLO client.test\r\n", "STARTTLS\r\n"],
    ["pop3", "", "STLS\r\n"],
    ["imap", "", "a STARTTLS\r\n"],
  ] as const) {
    it(`${protocol}: a client that hangs up after the TLS go-ahead frees its session at once`, async () => {
      const s = await startTestServer();
      try {
        const c = await LineClient.connect({ port: s.ports[protocol]! });
        await c.readLine();
        if (greet) {
          c.send(greet);
          await readSmtpReply(c);
        }
        c.send(command);
        await c.readLine();
        c.close();
        // Before the fix the session sat in the handshake until its 30 s timeout, and so did shutdown.
        await new Deadline(10_000).race(sessionsEnded(s, c), "the server to end the session");
      } finally {
        await s.stop();
      }
    });
  }
});

describe("security: failed authentication is slowed down", () => {
  const DELAY_MS = 150;
  let server: TestServer;
  // The per-connection delay alone; the shared penalty that grows with failures has its own spec
  // (test/reference-server/auth/penalty.test.ts).
  before(async () => (server = await startTestServer((c) => Object.assign(c.auth, { failureDelayMs: DELAY_MS, penaltyMaxMs: 0 }))));
  after(() => server.stop());

  async function elapsed(run: () => Promise<unknown>): Promise<number> {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  }

  it("SMTP, POP3 and IMAP each answer a wrong password no sooner than the configured delay, every time", async function () {
    this.timeout(15_000);
    const smtp = await LineClient.connect({ port: server.ports.smtp });
    await readSmtpReply(smtp);
    await smtpCommand(smtp, "EHLO client.test");
    const pop = await LineClient.connect({ port: server.ports.pop3 });
    await pop.readLine();
    const imap = await ImapLineClient.connect({ port: server.ports.imap! });
    const wrong = Buffer.from("\0alice\0wrong").toString("base64");
    for (let round = 0; round < 2; round++) {
      expect(await elapsed(async () => expect((await smtpCommand(smtp, `AUTH PLAIN ${wrong}`)).code).to.equal(535))).to.be.at.least(DELAY_MS - 5);
      await pop3Command(pop, "USER alice");
      expect(await elapsed(async () => expect(await pop3Command(pop, "PASS wrong")).to.match(/^-ERR/))).to.be.at.least(DELAY_MS - 5);
      expect(await elapsed(async () => expect((await imap.run("LOGIN alice wrong")).status).to.equal("NO"))).to.be.at.least(DELAY_MS - 5);
      // Unknown users take as long as wrong passwords (no enumeration by timing).
      expect(await elapsed(async () => expect((await imap.run("LOGIN nobody wrong")).status).to.equal("NO"))).to.be.at.least(DELAY_MS - 5);
    }
    smtp.close();
    pop.close();
    imap.close();
  });
});

// Passwords and TLS: with plaintextWithoutTls "never", no plaintext
// mechanism, USER/PASS or LOGIN works on a clear channel (IMAP advertises
// LOGINDISABLED) and all of them work after STARTTLS; commands pipelined
// behind STARTTLS/STLS are discarded, never run inside TLS (CVE-2011-0411);
// a client that hangs up after the go-ahead frees its session at once; and a
// failed authentication is answered no sooner than the configured delay.
// Standards: RFC 3207 §4.2, RFC 2595 §2.1 and §4, RFC 3501 §6.2.1 and §7.2.1 (LOGINDISABLED), RFC 4954 §4, RFC 8314 §5.1.

import { expect } from "chai";
import { startTestServer, type TestServer } from "../reference-server/support/server.ts";
import { WireClient } from "../reference-server/support/wire-client.ts";
import { ImapClient } from "../reference-server/imap/support/imap-client.ts";

const PLAIN_ALICE = Buffer.from("\0alice\0alice-pw").toString("base64");

describe("security: plaintext authentication before TLS (plaintextWithoutTls: never)", () => {
  let server: TestServer;
  before(async () => (server = await startTestServer((c) => (c.auth.plaintextWithoutTls = "never"))));
  after(() => server.stop());

  it("SMTP: AUTH PLAIN and LOGIN refused with 538 on the clear channel, accepted after STARTTLS", async () => {
    const c = await WireClient.connect(server.ports.smtp);
    await c.reply();
    const ehlo = await c.command("EHLO client.test");
    expect(ehlo.lines.join("\n")).not.to.match(/AUTH.*\b(PLAIN|LOGIN)\b/);
    expect((await c.command(`AUTH PLAIN ${PLAIN_ALICE}`)).code).to.equal(538);
    expect((await c.command("AUTH LOGIN")).code).to.equal(538);
    expect((await c.command("STARTTLS")).code).to.equal(220);
    await c.startTls();
    await c.command("EHLO client.test");
    expect((await c.command(`AUTH PLAIN ${PLAIN_ALICE}`)).code).to.equal(235);
    c.close();
  });

  it("POP3: USER/PASS and AUTH PLAIN refused on the clear channel, accepted after STLS", async () => {
    const c = await WireClient.connect(server.ports.pop3);
    await c.line();
    const user = await c.pop("USER alice");
    const pass = user.startsWith("+OK") ? await c.pop("PASS alice-pw") : user;
    expect(pass).to.match(/^-ERR/);
    expect(await c.pop(`AUTH PLAIN ${PLAIN_ALICE}`)).to.match(/^-ERR/);
    expect(await c.pop("STLS")).to.match(/^\+OK/);
    await c.startTls();
    expect(await c.pop("USER alice")).to.match(/^\+OK/);
    expect(await c.pop("PASS alice-pw")).to.match(/^\+OK/);
    c.close();
  });

  it("IMAP: LOGINDISABLED advertised, LOGIN and AUTHENTICATE PLAIN refused, both work after STARTTLS", async () => {
    const c = await ImapClient.connect(server.ports.imap!);
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
    const c = await WireClient.connect(server.ports.smtp);
    await c.reply();
    await c.command("EHLO client.test");
    c.send("STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n");
    expect((await c.reply()).code).to.equal(220);
    await c.startTls();
    // Had the MAIL run, its 250 would arrive first and MAIL now would be a nested 503.
    expect(await c.silentFor(100)).to.equal(true);
    expect((await c.command("EHLO client.test")).code).to.equal(250);
    expect((await c.command("MAIL FROM:<alice@example.test>")).code).to.equal(250);
    c.close();
  });

  it("POP3: a USER pipelined behind STLS is dropped, so PASS alone is out of sequence", async () => {
    const c = await WireClient.connect(server.ports.pop3);
    await c.line();
    c.send("STLS\r\nUSER alice\r\n");
    expect(await c.line()).to.match(/^\+OK/);
    await c.startTls();
    expect(await c.silentFor(100)).to.equal(true);
    expect(await c.pop("PASS alice-pw")).to.match(/^-ERR/);
    c.close();
  });

  it("IMAP: a LOGIN pipelined behind STARTTLS is not run, the session is still not authenticated", async () => {
    const c = await ImapClient.connect(server.ports.imap!);
    c.send("s1 STARTTLS\r\ns2 LOGIN alice alice-pw\r\n");
    expect(await c.response()).to.match(/^s1 OK/);
    await c.startTls();
    expect(await c.silentFor(100)).to.equal(true);
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
        const c = await WireClient.connect(s.ports[protocol]!);
        await c.line();
        if (greet) {
          c.send(greet);
          await c.reply();
        }
        c.send(command);
        await c.line();
        c.close();
        await new Promise((r) => setTimeout(r, 100));
        // Before the fix the session sat in the handshake until its 30 s timeout, and so did shutdown.
        const t0 = Date.now();
        await s.stop();
        expect(Date.now() - t0).to.be.below(1500);
      } finally {
        await s.stop();
      }
    });
  }
});

describe("security: failed authentication is slowed down", () => {
  const DELAY_MS = 150;
  let server: TestServer;
  before(async () => (server = await startTestServer((c) => (c.auth.failureDelayMs = DELAY_MS))));
  after(() => server.stop());

  async function elapsed(run: () => Promise<unknown>): Promise<number> {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  }

  it("SMTP, POP3 and IMAP each answer a wrong password no sooner than the configured delay, every time", async function () {
    this.timeout(15_000);
    const smtp = await WireClient.connect(server.ports.smtp);
    await smtp.reply();
    await smtp.command("EHLO client.test");
    const pop = await WireClient.connect(server.ports.pop3);
    await pop.line();
    const imap = await ImapClient.connect(server.ports.imap!);
    const wrong = Buffer.from("\0alice\0wrong").toString("base64");
    for (let round = 0; round < 2; round++) {
      expect(await elapsed(async () => expect((await smtp.command(`AUTH PLAIN ${wrong}`)).code).to.equal(535))).to.be.at.least(DELAY_MS - 5);
      await pop.pop("USER alice");
      expect(await elapsed(async () => expect(await pop.pop("PASS wrong")).to.match(/^-ERR/))).to.be.at.least(DELAY_MS - 5);
      expect(await elapsed(async () => expect((await imap.run("LOGIN alice wrong")).status).to.equal("NO"))).to.be.at.least(DELAY_MS - 5);
      // Unknown users take as long as wrong passwords (no enumeration by timing).
      expect(await elapsed(async () => expect((await imap.run("LOGIN nobody wrong")).status).to.equal("NO"))).to.be.at.least(DELAY_MS - 5);
    }
    smtp.close();
    pop.close();
    imap.close();
  });
});

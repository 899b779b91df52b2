// The interop lane end to end: interop/setup.sh and start.sh bring up a real
// Postfix and Dovecot on loopback, then raw line clients (runner/session/) check
// that mail sent over SMTP arrives in the Maildir that POP3 and IMAP read. Stops them after.
// Skipped unless MAILCONFORM_INTEROP=1: it needs root and apt-get (it installs
// Debian packages and starts system daemons), which a developer's `npm test`
// must never do behind their back.
// Standards: RFC 5321 §3.3, §4.5.2; RFC 1939 §5; RFC 3501 §6.2.3, §6.3.1.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { ImapLineClient } from "../../runner/session/imap-line-client.ts";
import { LineClient, type LineClientOptions } from "../../runner/session/line-client.ts";
import { pop3Command, readPop3Body, readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";
import { Deadline } from "../../wire/deadline.ts";
import { dotStuff } from "../../wire/dot-stuffing.ts";

const ENABLED = process.env.MAILCONFORM_INTEROP === "1";
const SKIP_REASON = "set MAILCONFORM_INTEROP=1 to run: needs root and apt-get (installs Postfix and Dovecot)";
const INTEROP_DIR = fileURLToPath(new URL("../../interop/", import.meta.url));
// Its own run directory and ports, so a lane a developer started by hand on
// the default base 3000 is left alone.
const RUN_DIR = process.env.MAILCONFORM_INTEROP_DIR ?? "/tmp/mailconform-interop-mocha";
const BASE = Number(process.env.MAILCONFORM_INTEROP_BASE ?? "23000");
const HOST = "127.0.0.1";
const PORTS = { smtp: BASE + 25, pop3: BASE + 110, imap: BASE + 143 };
const SETUP_TIMEOUT_MS = 10 * 60_000; // apt-get on a fresh machine
const START_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 20_000; // Postfix queues, then virtual(8) delivers
const CLIENT: LineClientOptions = { timeoutMs: STEP_TIMEOUT_MS };

/** Runs one interop script with a hard timeout; rejects with its stderr. */
function runScript(name: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "bash",
      [path.join(INTEROP_DIR, name), ...args],
      { timeout: timeoutMs, killSignal: "SIGKILL", env: { ...process.env, MAILCONFORM_INTEROP_DIR: RUN_DIR } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${name} ${args.join(" ")} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

async function pop3LoggedIn(user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect({ host: HOST, port: PORTS.pop3 }, CLIENT);
  expect(await c.readLine()).to.match(/^\+OK/);
  expect(await pop3Command(c, `USER ${user}`)).to.match(/^\+OK/);
  expect(await pop3Command(c, `PASS ${password}`)).to.match(/^\+OK/);
  return c;
}

describe(`interop: Postfix + Dovecot on loopback${ENABLED ? "" : ` (skipped: ${SKIP_REASON})`}`, function () {
  const token = randomBytes(6).toString("hex");
  const body = `Hello from the mailconform interop lane ${token}\r\n.a leading dot survives both hops\r\n`;
  const timings: string[] = [];
  let started = false;
  const t0 = Date.now();

  before(async function () {
    if (!ENABLED) this.skip();
    if (process.getuid?.() !== 0) throw new Error("MAILCONFORM_INTEROP=1 needs root: setup.sh installs packages, start.sh starts daemons");
    this.timeout(SETUP_TIMEOUT_MS + START_TIMEOUT_MS + 30_000);
    let t = Date.now();
    await runScript("setup.sh", [], SETUP_TIMEOUT_MS);
    timings.push(`setup ${Date.now() - t} ms`);
    t = Date.now();
    started = true; // stop.sh in after() even when start.sh fails half-way
    await runScript("start.sh", ["--base", String(BASE)], START_TIMEOUT_MS);
    await runScript("reset-mail.sh", [], 30_000);
    timings.push(`start ${Date.now() - t} ms`);
  });

  after(async function () {
    if (!started) return;
    this.timeout(60_000);
    const t = Date.now();
    await runScript("stop.sh", [], 50_000);
    timings.push(`stop ${Date.now() - t} ms`);
    console.log(`      interop timings: ${timings.join(", ")}, total ${Date.now() - t0} ms`);
  });

  it("writes a target file for the runner", async function () {
    const target = parse(await readFile(path.join(RUN_DIR, "targets", "postfix-dovecot.yaml"), "utf8"));
    expect(target).to.deep.include({ name: "postfix-dovecot", host: HOST, domain: "example.test", insecure: true });
    // The implicit-TLS ports (Postfix's smtps, Dovecot's pop3s/imaps) are the second port of each endpoint, where `tls: implicit` tests go (RFC 8314).
    // failing-recipient: accepted at RCPT, then refused by its Dovecot quota; Postfix bounces it (the failure-report tests).
    expect(target.smtp).to.deep.equal({ port: PORTS.smtp, "implicit-port": BASE + 465, "failing-recipient": "full@example.test" });
    expect(target.lmtp).to.deep.equal({ port: BASE + 24, "failing-recipient": "full@example.test" });
    expect(target.pop3).to.deep.equal({ port: PORTS.pop3, "implicit-port": BASE + 995 });
    expect(target.imap).to.deep.equal({ port: PORTS.imap, "implicit-port": BASE + 993 });
    // Postfix's submission service (STARTTLS before AUTH) as the named endpoint suites/smtp/submission.yaml dials (RFC 6409).
    expect(target.submission).to.deep.equal({ port: BASE + 587, tls: "starttls" });
    // The same lane with LMTP dialled on Dovecot's Unix-domain socket (RFC 2033 §5) instead of its port.
    const socketTarget = parse(await readFile(path.join(RUN_DIR, "targets", "dovecot-lmtp-socket.yaml"), "utf8"));
    const { port: _port, ...lmtpBesidesPort } = target.lmtp;
    expect(socketTarget.lmtp).to.deep.equal({ ...lmtpBesidesPort, socket: path.join(RUN_DIR, "dovecot-run", "lmtp") });
    expect(socketTarget.pop3).to.deep.equal(target.pop3);
    expect(target.users.map((u: { login: string }) => u.login)).to.deep.equal(["alice", "bob"]);
  });

  it("Postfix greets, answers EHLO and accepts a message for alice", async function () {
    const c = await LineClient.connect({ host: HOST, port: PORTS.smtp }, CLIENT);
    try {
      expect((await readSmtpReply(c)).code).to.equal(220);
      const ehlo = await smtpCommand(c, "EHLO client.example");
      expect(ehlo.code).to.equal(250);
      expect(ehlo.lines.length, "multiline EHLO reply").to.be.greaterThan(1);
      expect((await smtpCommand(c, "MAIL FROM:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(c, "RCPT TO:<alice@example.test>")).code).to.equal(250);
      expect((await smtpCommand(c, "DATA")).code).to.equal(354);
      const message = `From: <bob@example.test>\r\nTo: <alice@example.test>\r\nSubject: interop ${token}\r\n\r\n${body}`;
      c.send(dotStuff(Buffer.from(message)));
      // 250 only once the message is in Postfix's queue, fsynced (RFC 5321 §4.1.1.4)
      expect((await readSmtpReply(c)).code).to.equal(250);
      expect((await smtpCommand(c, "QUIT")).code).to.equal(221);
    } finally {
      c.close();
    }
  });

  it("Dovecot POP3 sees it after USER/PASS: STAT counts it, RETR returns the body", async function () {
    this.timeout(DELIVERY_TIMEOUT_MS + STEP_TIMEOUT_MS);
    const deadline = new Deadline(DELIVERY_TIMEOUT_MS);
    let count = 0;
    for (;;) {
      const c = await pop3LoggedIn("alice", "alice-pw");
      try {
        const stat = await pop3Command(c, "STAT");
        const m = /^\+OK (\d+) (\d+)/.exec(stat);
        expect(m, `STAT reply ${stat}`).to.not.equal(null);
        count = Number(m![1]);
        if (count >= 1) {
          expect(await pop3Command(c, `RETR ${count}`)).to.match(/^\+OK/);
          const text = (await readPop3Body(c)).toString("latin1");
          // Postfix prepends Received and may add headers: compare the body only.
          expect(text.slice(text.indexOf("\r\n\r\n") + 4)).to.equal(body);
          expect(await pop3Command(c, "QUIT")).to.match(/^\+OK/);
          return;
        }
        await pop3Command(c, "QUIT");
      } finally {
        c.close();
      }
      if (deadline.expired()) throw new Error(`no message in alice's maildrop after ${DELIVERY_TIMEOUT_MS} ms`);
      // Polling another system's mail queue: Postfix and Dovecot have no event to await.
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it("Dovecot IMAP: LOGIN, SELECT INBOX reports EXISTS >= 1", async function () {
    const c = await ImapLineClient.connect({ host: HOST, port: PORTS.imap }, CLIENT);
    try {
      expect(c.greeting).to.match(/^\* OK/);
      expect((await c.run("LOGIN alice alice-pw")).status).to.equal("OK");
      const select = await c.run("SELECT INBOX");
      expect(select.status).to.equal("OK");
      const exists = select.untagged.map((l) => /^\* (\d+) EXISTS$/i.exec(l)).find((m) => m);
      expect(exists, `EXISTS in ${select.untagged.join(" | ")}`).to.not.equal(undefined);
      expect(Number(exists![1])).to.be.at.least(1);
      const logout = await c.run("LOGOUT");
      expect(logout.untagged.some((l) => l.startsWith("* BYE"))).to.equal(true);
      expect(logout.status).to.equal("OK");
    } finally {
      c.close();
    }
  });
});

// The lane's further servers end to end (interop/servers/, issue 12 §2):
// setup.sh, ../start.sh and servers/start.sh bring up Cyrus behind an LMTP
// Postfix, OpenSMTPD in front of Dovecot, and Mailutils behind the same
// Postfix; raw line clients check the targets they write (domains, quoted
// credentials), that mail sent over SMTP reaches each server's mailbox, that
// the Postfix in front of Cyrus offers AUTH only after STARTTLS, and that
// reset-mail.sh empties Cyrus. Skipped unless MAILCONFORM_INTEROP=1 (root, apt-get).
// Standards: RFC 5321 §3.3; RFC 2033 §4.2; RFC 3207 §4.2; RFC 4954 §4; RFC 1939 §5, §7; RFC 3501 §6.2.3, §6.3.1; RFC 2342 §5.

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
import { pop3Command, readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";
import { Deadline } from "../../wire/deadline.ts";

const ENABLED = process.env.MAILCONFORM_INTEROP === "1";
const SKIP_REASON = "set MAILCONFORM_INTEROP=1 to run: needs root and apt-get (installs Cyrus, OpenSMTPD, Mailutils)";
const INTEROP_DIR = fileURLToPath(new URL("../../interop/", import.meta.url));
// Its own run directory and base, apart from interop.test.ts's (23000) and a hand-started lane (3000).
const RUN_DIR = "/tmp/mailconform-interop-mocha-servers";
const BASE = 22000;
const HOST = "127.0.0.1";
const PORTS = { cyrusSmtp: BASE + 225, cyrusImap: BASE + 243, smtpd: BASE + 325, dovecotPop3: BASE + 110, muSmtp: BASE + 425, muPop3: BASE + 410 };
const SETUP_TIMEOUT_MS = 10 * 60_000;
const START_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 20_000;
const CLIENT: LineClientOptions = { timeoutMs: STEP_TIMEOUT_MS };

interface TargetUser { login: string; password: string; address: string }
interface Target { name: string; domain: string; users: TargetUser[]; smtp: { port: number }; pop3: { port: number }; imap: { port: number } }

function runScript(name: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("bash", [path.join(INTEROP_DIR, name), ...args],
      { timeout: timeoutMs, killSignal: "SIGKILL", env: { ...process.env, MAILCONFORM_INTEROP_DIR: RUN_DIR } },
      (error, stdout, stderr) => (error ? reject(new Error(`${name} ${args.join(" ")} failed: ${error.message}\n${stderr}`)) : resolve(stdout)));
  });
}

async function target(name: string): Promise<Target> {
  return parse(await readFile(path.join(RUN_DIR, "targets", `${name}.yaml`), "utf8")) as Target;
}

/** An IMAP quoted string (RFC 3501 §9: '"' and '\' escaped). */
const quoted = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/** Sends one message over SMTP and expects 250 after the data. */
async function send(port: number, from: string, to: string, subject: string): Promise<void> {
  const c = await LineClient.connect({ host: HOST, port }, CLIENT);
  try {
    expect((await readSmtpReply(c)).code).to.equal(220);
    expect((await smtpCommand(c, "EHLO client.example")).code).to.equal(250);
    expect((await smtpCommand(c, `MAIL FROM:<${from}>`)).code).to.equal(250);
    expect((await smtpCommand(c, `RCPT TO:<${to}>`)).code).to.equal(250);
    expect((await smtpCommand(c, "DATA")).code).to.equal(354);
    c.send(Buffer.from(`From: <${from}>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\nhello\r\n.\r\n`));
    expect((await readSmtpReply(c)).code).to.equal(250);
    await smtpCommand(c, "QUIT");
  } finally {
    c.close();
  }
}

/** Polls (bounded) until check() is true: other servers' queues have no event to await. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = new Deadline(DELIVERY_TIMEOUT_MS);
  while (!(await check())) {
    if (deadline.expired()) throw new Error(`${what}: not after ${DELIVERY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function imapExists(port: number, user: TargetUser): Promise<number> {
  const c = await ImapLineClient.connect({ host: HOST, port }, CLIENT);
  try {
    expect((await c.run(`LOGIN ${quoted(user.login)} ${quoted(user.password)}`)).status).to.equal("OK");
    const select = await c.run("SELECT INBOX");
    expect(select.status).to.equal("OK");
    const m = select.untagged.map((l) => /^\* (\d+) EXISTS$/i.exec(l)).find((x) => x);
    await c.run("LOGOUT");
    return Number(m![1]);
  } finally {
    c.close();
  }
}

/** STAT's count; -1 when the maildrop is still locked by the previous poll's session (RFC 2449 §8.1.1 IN-USE). */
async function pop3Count(port: number, user: TargetUser): Promise<number> {
  const c = await LineClient.connect({ host: HOST, port }, CLIENT);
  try {
    expect(await c.readLine()).to.match(/^\+OK/);
    expect(await pop3Command(c, `USER ${user.login}`)).to.match(/^\+OK/);
    const pass = await pop3Command(c, `PASS ${user.password}`);
    if (pass.startsWith("-ERR [IN-USE]")) return -1;
    expect(pass).to.match(/^\+OK/);
    const stat = /^\+OK (\d+)/.exec(await pop3Command(c, "STAT"));
    await pop3Command(c, "QUIT");
    return Number(stat![1]);
  } finally {
    c.close();
  }
}

describe(`interop: Cyrus, OpenSMTPD and Mailutils on loopback${ENABLED ? "" : ` (skipped: ${SKIP_REASON})`}`, function () {
  const token = randomBytes(6).toString("hex");
  let started = false;

  before(async function () {
    if (!ENABLED) this.skip();
    if (process.getuid?.() !== 0) throw new Error("MAILCONFORM_INTEROP=1 needs root");
    this.timeout(2 * SETUP_TIMEOUT_MS + 2 * START_TIMEOUT_MS);
    await runScript("setup.sh", [], SETUP_TIMEOUT_MS);
    await runScript("servers/setup.sh", [], SETUP_TIMEOUT_MS);
    started = true; // both stop scripts in after() even when a start fails half-way
    await runScript("start.sh", ["--base", String(BASE)], START_TIMEOUT_MS);
    await runScript("servers/start.sh", ["--base", String(BASE)], START_TIMEOUT_MS);
    await runScript("reset-mail.sh", [], 30_000);
    await runScript("servers/reset-mail.sh", [], 60_000);
  });

  after(async function () {
    if (!started) return;
    this.timeout(120_000);
    await runScript("servers/stop.sh", [], 60_000);
    await runScript("stop.sh", [], 50_000);
  });

  it("writes one target per server: own domain, this base's ports, credentials that need IMAP quoting", async function () {
    const [cyrus, smtpd, mu] = await Promise.all([target("cyrus"), target("opensmtpd"), target("mailutils")]);
    expect([cyrus.domain, smtpd.domain, mu.domain]).to.deep.equal(["cyrus.interop.example", "opensmtpd.interop.example", "mailutils.interop.example"]);
    expect([cyrus.smtp.port, cyrus.imap.port, smtpd.smtp.port, mu.pop3.port]).to.deep.equal([PORTS.cyrusSmtp, PORTS.cyrusImap, PORTS.smtpd, PORTS.muPop3]);
    const credentials = [...cyrus.users, ...mu.users].flatMap((u) => [u.login, u.password]);
    expect(credentials.some((s) => s.includes(" ")), "a space").to.equal(true);
    expect(credentials.some((s) => s.includes('"')), "a '\"'").to.equal(true);
    expect(mu.users[0]!.login).to.include('"');
  });

  it("Cyrus: personal namespace INBOX. with '.', and mail from the Postfix in front arrives over LMTP", async function () {
    this.timeout(DELIVERY_TIMEOUT_MS + 3 * STEP_TIMEOUT_MS);
    const cyrus = await target("cyrus");
    const carol = cyrus.users[0]!;
    const c = await ImapLineClient.connect({ host: HOST, port: PORTS.cyrusImap }, CLIENT);
    try {
      expect((await c.run(`LOGIN ${quoted(carol.login)} ${quoted(carol.password)}`)).status).to.equal("OK");
      const ns = await c.run("NAMESPACE");
      expect(ns.untagged.join("\n")).to.match(/^\* NAMESPACE \(\("INBOX\." "\."\)\)/m);
      expect((await c.run("CREATE top-level-refused")).status).to.equal("NO");
      await c.run("LOGOUT");
    } finally {
      c.close();
    }
    await send(PORTS.cyrusSmtp, cyrus.users[1]!.address, carol.address, `cyrus ${token}`);
    await eventually("carol's Cyrus INBOX has the message", async () => (await imapExists(PORTS.cyrusImap, carol)) >= 1);
  });

  it("the Postfix in front of Cyrus offers AUTH only after STARTTLS", async function () {
    const c = await LineClient.connect({ host: HOST, port: PORTS.cyrusSmtp }, CLIENT);
    try {
      expect((await readSmtpReply(c)).code).to.equal(220);
      const ehlo = await smtpCommand(c, "EHLO client.example");
      const keywords = ehlo.lines.slice(1).map((l) => l.slice(4)); // past "250-": the extension keywords
      expect(keywords.some((k) => /^AUTH\b/i.test(k)), ehlo.lines.join(" | ")).to.equal(false);
      expect(keywords.some((k) => /^STARTTLS$/i.test(k)), ehlo.lines.join(" | ")).to.equal(true);
      expect((await smtpCommand(c, "AUTH PLAIN")).code).to.be.within(500, 599);
    } finally {
      c.close();
    }
  });

  it("OpenSMTPD delivers its domain into the Maildir the lane's Dovecot serves", async function () {
    this.timeout(DELIVERY_TIMEOUT_MS + 2 * STEP_TIMEOUT_MS);
    const smtpd = await target("opensmtpd");
    const alice = smtpd.users[0]!;
    expect(alice.address).to.equal("alice@opensmtpd.interop.example");
    const before = await pop3Count(PORTS.dovecotPop3, alice); // Dovecot does not lock: never -1
    await send(PORTS.smtpd, smtpd.users[1]!.address, alice.address, `opensmtpd ${token}`);
    await eventually("alice's Dovecot maildrop has the message", async () => (await pop3Count(PORTS.dovecotPop3, alice)) > before);
  });

  it("Mailutils pop3d: USER with a '\"' in the login, PASS with spaces, sees mail from its Postfix", async function () {
    this.timeout(DELIVERY_TIMEOUT_MS + 2 * STEP_TIMEOUT_MS);
    const mu = await target("mailutils");
    const user = mu.users[0]!;
    await send(PORTS.muSmtp, mu.users[1]!.address, user.address, `mailutils ${token}`);
    await eventually("the Mailutils mbox has the message", async () => (await pop3Count(PORTS.muPop3, user)) >= 1);
  });

  it("reset-mail.sh empties Cyrus (fresh mailbox database, master restarted)", async function () {
    this.timeout(60_000 + STEP_TIMEOUT_MS);
    const carol = (await target("cyrus")).users[0]!;
    await runScript("servers/reset-mail.sh", [], 60_000);
    expect(await imapExists(PORTS.cyrusImap, carol)).to.equal(0);
  });
});

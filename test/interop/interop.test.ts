// The interop lane end to end: interop/setup.sh and start.sh bring up a real
// Postfix and Dovecot on loopback, then raw node:net sockets check that mail
// sent over SMTP arrives in the Maildir that POP3 and IMAP read. Stops them after.
// Skipped unless MAILCONFORM_INTEROP=1: it needs root and apt-get (it installs
// Debian packages and starts system daemons), which a developer's `npm test`
// must never do behind their back.
// Standards: RFC 5321 §3.3, §4.5.2; RFC 1939 §5; RFC 3501 §6.2.3, §6.3.1.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { LineBuffer } from "../../wire/lines.ts";
import { Deadline } from "../../wire/deadline.ts";
import { dotStuff, joinLines, unstuffLine } from "../../wire/dot-stuffing.ts";

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

/** A line-oriented client over a real socket; every read is bounded. */
class LineClient {
  private readonly buffer = new LineBuffer({ maxLineOctets: 65_536 });
  private waiter: (() => void) | undefined;
  private closed = false;
  readonly transcript: string[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer.push(chunk);
      this.waiter?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.waiter?.();
    });
    socket.on("error", () => undefined); // surfaces as "closed" on the next read
  }

  static connect(port: number): Promise<LineClient> {
    const deadline = new Deadline(STEP_TIMEOUT_MS);
    return deadline.race(
      new Promise((resolve, reject) => {
        const socket = net.connect({ host: HOST, port }, () => resolve(new LineClient(socket)));
        socket.once("error", reject);
      }),
      `connect to ${HOST}:${port}`,
    );
  }

  async readLine(): Promise<string> {
    const deadline = new Deadline(STEP_TIMEOUT_MS);
    for (;;) {
      const line = this.buffer.nextLine();
      if (line) {
        const text = line.bytes.toString("latin1");
        this.transcript.push(`S: ${text}`);
        return text;
      }
      if (this.closed) throw new Error(`connection closed; transcript:\n${this.transcript.join("\n")}`);
      await deadline.race(new Promise<void>((resolve) => (this.waiter = resolve)), "a server line");
      this.waiter = undefined;
    }
  }

  send(line: string): void {
    this.transcript.push(`C: ${line}`);
    this.socket.write(`${line}\r\n`);
  }

  sendRaw(bytes: Buffer): void {
    this.transcript.push(`C: <${bytes.length} octets>`);
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** An SMTP reply: every line until the one with a space after the code (RFC 5321 §4.2.1). */
async function smtpReply(c: LineClient): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  for (;;) {
    const line = await c.readLine();
    lines.push(line.slice(4));
    if (line[3] !== "-") return { code: Number(line.slice(0, 3)), lines };
  }
}

/** Untagged lines up to and including the tagged status line of `tag`. */
async function imapUntil(c: LineClient, tag: string): Promise<{ untagged: string[]; status: string }> {
  const untagged: string[] = [];
  for (;;) {
    const line = await c.readLine();
    if (line.startsWith(`${tag} `)) return { untagged, status: line.slice(tag.length + 1) };
    untagged.push(line);
  }
}

async function pop3LoggedIn(user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect(PORTS.pop3);
  expect(await c.readLine()).to.match(/^\+OK/);
  c.send(`USER ${user}`);
  expect(await c.readLine()).to.match(/^\+OK/);
  c.send(`PASS ${password}`);
  expect(await c.readLine()).to.match(/^\+OK/);
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
    expect(target.smtp).to.deep.equal({ port: PORTS.smtp });
    expect(target.pop3).to.deep.equal({ port: PORTS.pop3 });
    expect(target.imap).to.deep.equal({ port: PORTS.imap });
    expect(target.users.map((u: { login: string }) => u.login)).to.deep.equal(["alice", "bob"]);
  });

  it("Postfix greets, answers EHLO and accepts a message for alice", async function () {
    const c = await LineClient.connect(PORTS.smtp);
    try {
      expect((await smtpReply(c)).code).to.equal(220);
      c.send("EHLO client.example");
      const ehlo = await smtpReply(c);
      expect(ehlo.code).to.equal(250);
      expect(ehlo.lines.length, "multiline EHLO reply").to.be.greaterThan(1);
      c.send("MAIL FROM:<bob@example.test>");
      expect((await smtpReply(c)).code).to.equal(250);
      c.send("RCPT TO:<alice@example.test>");
      expect((await smtpReply(c)).code).to.equal(250);
      c.send("DATA");
      expect((await smtpReply(c)).code).to.equal(354);
      const message = `From: <bob@example.test>\r\nTo: <alice@example.test>\r\nSubject: interop ${token}\r\n\r\n${body}`;
      c.sendRaw(dotStuff(Buffer.from(message)));
      // 250 only once the message is in Postfix's queue, fsynced (RFC 5321 §4.1.1.4)
      expect((await smtpReply(c)).code).to.equal(250);
      c.send("QUIT");
      expect((await smtpReply(c)).code).to.equal(221);
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
        c.send("STAT");
        const stat = await c.readLine();
        const m = /^\+OK (\d+) (\d+)/.exec(stat);
        expect(m, `STAT reply ${stat}`).to.not.equal(null);
        count = Number(m![1]);
        if (count >= 1) {
          c.send(`RETR ${count}`);
          expect(await c.readLine()).to.match(/^\+OK/);
          const lines: Buffer[] = [];
          for (;;) {
            const line = unstuffLine(Buffer.from(await c.readLine(), "latin1"));
            if (line === "end") break;
            lines.push(line);
          }
          const text = joinLines(lines).toString("latin1");
          // Postfix prepends Received and may add headers: compare the body only.
          expect(text.slice(text.indexOf("\r\n\r\n") + 4)).to.equal(body);
          c.send("QUIT");
          expect(await c.readLine()).to.match(/^\+OK/);
          return;
        }
        c.send("QUIT");
        await c.readLine();
      } finally {
        c.close();
      }
      if (deadline.expired()) throw new Error(`no message in alice's maildrop after ${DELIVERY_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it("Dovecot IMAP: LOGIN, SELECT INBOX reports EXISTS >= 1", async function () {
    const c = await LineClient.connect(PORTS.imap);
    try {
      expect(await c.readLine()).to.match(/^\* OK/);
      c.send("a1 LOGIN alice alice-pw");
      expect((await imapUntil(c, "a1")).status).to.match(/^OK/);
      c.send("a2 SELECT INBOX");
      const select = await imapUntil(c, "a2");
      expect(select.status).to.match(/^OK/);
      const exists = select.untagged.map((l) => /^\* (\d+) EXISTS$/i.exec(l)).find((m) => m);
      expect(exists, `EXISTS in ${select.untagged.join(" | ")}`).to.not.equal(undefined);
      expect(Number(exists![1])).to.be.at.least(1);
      c.send("a3 LOGOUT");
      const logout = await imapUntil(c, "a3");
      expect(logout.untagged.some((l) => l.startsWith("* BYE"))).to.equal(true);
      expect(logout.status).to.match(/^OK/);
    } finally {
      c.close();
    }
  });
});

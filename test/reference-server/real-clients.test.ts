// Real clients against the reference server over real sockets: nodemailer
// (plain, STARTTLS, AUTH), Python's smtplib and poplib, and curl (smtp://,
// smtps://, pop3://, pop3s://). The fixture message — leading dots,
// ISO-8859-1 8-bit text, a base64 attachment, 998-octet lines — goes in
// through SMTP and must come out of POP3 RETR byte-identical after the trace headers.

import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import { LineClient } from "../../runner/session/line-client.ts";
import { pop3Command, readPop3Body } from "../../runner/session/line-replies.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "./support/server.ts";

const CLIENT_TIMEOUT_MS = 15_000;

function fixture(): Buffer {
  const attachment = Buffer.alloc(3000);
  for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 37) % 256;
  const base64Lines = attachment.toString("base64").match(/.{1,76}/g)!.join("\r\n");
  const text = [
    "From: Alice <alice@example.test>",
    "To: Bob <bob@example.test>",
    "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=",
    "MIME-Version: 1.0",
    'Content-Type: multipart/mixed; boundary="b1"',
    "",
    "--b1",
    "Content-Type: text/plain; charset=ISO-8859-1",
    "Content-Transfer-Encoding: 8bit",
    "",
    ".a line that starts with a dot",
    "..and one with two",
    ".",
    "Grüße aus Köln, schöne Straße — naïve café",
    "x".repeat(998),
    "." + "y".repeat(997),
    "--b1",
    "Content-Type: image/png; name=logo.png",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines,
    "--b1--",
    "",
  ].join("\r\n");
  return Buffer.from(text.replace("—", "-"), "latin1");
}

function withoutTrace(stored: Buffer): Buffer {
  const text = stored.toString("latin1");
  expect(text.startsWith("Return-Path: <")).to.equal(true);
  let at = text.indexOf("\r\n") + 2;
  at = text.indexOf("\r\n", at) + 2;
  while (text[at] === "\t" || text[at] === " ") at = text.indexOf("\r\n", at) + 2;
  return stored.subarray(at);
}

function run(file: string, args: string[], input?: string): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { timeout: CLIENT_TIMEOUT_MS, encoding: "buffer", maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr.toString()}`));
      else resolve({ stdout, stderr: stderr.toString() });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

async function retrViaWire(server: TestServer, user: string, n: number): Promise<Buffer> {
  const client = await LineClient.connect({ port: server.ports.pop3 });
  try {
    await client.readLine();
    await pop3Command(client, `USER ${user}`);
    expect(await pop3Command(client, `PASS ${user}-pw`)).to.match(/^\+OK/);
    expect(await pop3Command(client, `RETR ${n}`)).to.match(/^\+OK/);
    return await readPop3Body(client);
  } finally {
    client.close();
  }
}

describe("real clients against the reference server", function () {
  this.timeout(30_000);
  let server: TestServer;
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "mailconform-clients-"));
  });
  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.stop();
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
    await removeTestDataDir();
  });

  describe("nodemailer", () => {
    it("sends the fixture in plain SMTP; POP3 RETR returns it byte-identical after the trace headers", async () => {
      const transport = nodemailer.createTransport({ host: "127.0.0.1", port: server.ports.smtp, secure: false, ignoreTLS: true });
      try {
        const info = await transport.sendMail({ envelope: { from: "alice@example.test", to: ["bob@example.test"] }, raw: fixture() });
        expect(info.accepted).to.deep.equal(["bob@example.test"]);
      } finally {
        transport.close();
      }
      const retrieved = await retrViaWire(server, "bob", 1);
      expect(withoutTrace(retrieved).equals(fixture())).to.equal(true);
    });

    it("sends over STARTTLS with AUTH using the development certificate", async () => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.ports.smtp,
        secure: false,
        requireTLS: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice", pass: "alice-pw" },
      });
      try {
        await transport.verify();
        await transport.sendMail({ from: "alice@example.test", to: "bob@example.test", subject: "tls", text: "over TLS\n.\n" });
      } finally {
        transport.close();
      }
      const [stored] = await server.store.inbox("bob");
      expect(stored!.toString()).to.match(/with ESMTPSA id /);
    });

    it("fails to authenticate with a wrong password", async () => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.ports.smtp,
        tls: { rejectUnauthorized: false },
        auth: { user: "alice", pass: "wrong" },
      });
      try {
        const error = await transport.verify().then(() => null, (e: { responseCode?: number }) => e);
        expect(error?.responseCode).to.equal(535);
      } finally {
        transport.close();
      }
    });

    it("sends over implicit TLS (SMTPS)", async () => {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: server.ports.smtps,
        secure: true,
        tls: { rejectUnauthorized: false },
        auth: { user: "bob", pass: "bob-pw" },
      });
      try {
        await transport.sendMail({ from: "bob@example.test", to: "alice@example.test", subject: "smtps", text: "hi" });
      } finally {
        transport.close();
      }
      expect(await server.store.inbox("alice")).to.have.length(1);
    });
  });

  describe("Python smtplib and poplib", () => {
    it("sends the fixture with smtplib (STARTTLS + login) and reads it back with poplib", async () => {
      const file = join(scratch, "fixture.eml");
      await writeFile(file, fixture());
      const script = `
import smtplib, poplib, ssl, sys, base64
port_smtp, port_pop3, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with open(path, "rb") as f: msg = f.read()
with smtplib.SMTP("127.0.0.1", port_smtp, timeout=10) as s:
    s.ehlo("python.test"); s.starttls(context=ctx); s.ehlo("python.test")
    s.login("alice", "alice-pw")
    refused = s.sendmail("alice@example.test", ["bob@example.test"], msg)
    assert refused == {}, refused
p = poplib.POP3("127.0.0.1", port_pop3, timeout=10)
p.stls(context=ctx)
p.user("bob"); p.pass_("bob-pw")
count, size = p.stat()
resp, lines, octets = p.retr(count)
p.quit()
sys.stdout.write(base64.b64encode(b"\\r\\n".join(lines) + b"\\r\\n").decode())
`;
      const { stdout } = await run("python3", ["-c", script, String(server.ports.smtp), String(server.ports.pop3), file]);
      const retrieved = Buffer.from(stdout.toString(), "base64");
      expect(withoutTrace(retrieved).equals(fixture())).to.equal(true);
    });

    it("uses poplib over POP3S with APOP, LIST and DELE", async () => {
      await server.store.deliver("alice", Buffer.from("Subject: a\r\n\r\none\r\n"));
      await server.store.deliver("alice", Buffer.from("Subject: b\r\n\r\ntwo\r\n"));
      const script = `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=10)
p.apop("alice", "alice-pw")
resp, listing, octets = p.list()
p.dele(1)
print(len(listing), "UIDL" in p.capa(), "SASL" in p.capa())
p.quit()
`;
      const { stdout } = await run("python3", ["-c", script, String(server.ports.pop3s)]);
      // SASL is an AUTHORIZATION-state capability, so CAPA in TRANSACTION leaves it out.
      expect(stdout.toString().trim()).to.equal("2 True False");
      expect((await server.store.inbox("alice")).map((m) => m.toString())).to.deep.equal(["Subject: b\r\n\r\ntwo\r\n"]);
    });
  });

  describe("curl", () => {
    it("sends with smtp:// and retrieves with pop3:// byte-identical", async () => {
      const file = join(scratch, "curl.eml");
      await writeFile(file, fixture());
      await run("curl", ["-sS", "--max-time", "10", `smtp://127.0.0.1:${server.ports.smtp}`, "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test", "-T", file]);
      const { stdout } = await run("curl", ["-sS", "--max-time", "10", "-u", "bob:bob-pw", `pop3://127.0.0.1:${server.ports.pop3}/1`]);
      expect(withoutTrace(stdout).equals(fixture())).to.equal(true);
    });

    it("sends with smtps:// and STARTTLS (--ssl-reqd), lists with pop3s://", async () => {
      const file = join(scratch, "small.eml");
      await writeFile(file, "Subject: curl\r\n\r\nhello\r\n");
      await run("curl", ["-sS", "-k", "--max-time", "10", `smtps://127.0.0.1:${server.ports.smtps}`, "-u", "alice:alice-pw", "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test", "-T", file]);
      await run("curl", ["-sS", "-k", "--ssl-reqd", "--max-time", "10", `smtp://127.0.0.1:${server.ports.smtp}`, "-u", "alice:alice-pw", "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test", "-T", file]);
      const { stdout } = await run("curl", ["-sS", "-k", "--max-time", "10", "-u", "bob:bob-pw", `pop3s://127.0.0.1:${server.ports.pop3s}/`]);
      expect(stdout.toString().trim().split(/\r?\n/).map((l) => l.split(" ")[0])).to.deep.equal(["1", "2"]);
      const bobs = await server.store.inbox("bob");
      expect(bobs[0]!.toString()).to.match(/with ESMTPSA id/);
    });
  });
});

// startServer and `mailconform serve`: the port scheme, the development
// certificate (generated once, then reused), and a clean stop on SIGTERM.

import { expect } from "chai";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { PORT_OFFSETS, startServer } from "../../reference-server/serve.ts";
import { MemoryStore } from "./support/memory-store.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { pop3Command, readPop3Body, readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";

const SERVE_MODULE = fileURLToPath(new URL("../../reference-server/serve.ts", import.meta.url));

describe("serve", function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "mailconform-serve-"));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("generates a development certificate at first start and reuses it", async () => {
    const first = await startServer({ dataDir, portBase: "ephemeral", store: new MemoryStore() });
    const cert = first.certificate;
    await first.close();
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).to.include("DNS:mail.example.test");
    expect(x509.subjectAltName).to.include("IP Address:127.0.0.1");
    expect(await readFile(join(dataDir, "tls", "dev-cert.pem"), "utf8")).to.equal(cert);
    const second = await startServer({ dataDir, portBase: "ephemeral", store: new MemoryStore() });
    try {
      expect(second.certificate).to.equal(cert);
    } finally {
      await second.close();
    }
  });

  it("puts each protocol at port base + its offset", async () => {
    // A base in a range nothing else in the test run uses (interop lanes use 3000, 23000, 24000).
    // Below Linux's ephemeral range (32768+) so no outgoing socket holds one of the six ports.
    const base = 10000 + Math.floor(Math.random() * 8000);
    const server = await startServer({ dataDir, portBase: base, store: new MemoryStore() });
    try {
      expect(server.ports).to.deep.equal({
        smtp: base + PORT_OFFSETS.smtp,
        pop3: base + PORT_OFFSETS.pop3,
        smtps: base + PORT_OFFSETS.smtps,
        pop3s: base + PORT_OFFSETS.pop3s,
        submission: base + PORT_OFFSETS.submission,
        lmtp: base + PORT_OFFSETS.lmtp,
        imap: base + PORT_OFFSETS.imap,
        imaps: base + PORT_OFFSETS.imaps,
      });
      expect(server.users.map((u) => [u.address, u.password])).to.deep.equal([["alice@example.test", "alice-pw"], ["bob@example.test", "bob-pw"]]);
      expect(server.domain).to.equal("example.test");
    } finally {
      await server.close();
    }
  });

  it("logs sessions at verbose with passwords redacted", async () => {
    const lines: string[] = [];
    const server = await startServer({ dataDir, portBase: "ephemeral", store: new MemoryStore(), verbose: true, log: (l) => lines.push(l), config: { ...defaultConfig(), auth: { ...defaultConfig().auth, failureDelayMs: 0 } } });
    try {
      const client = await LineClient.connect({ port: server.ports.pop3 });
      await client.readLine();
      await pop3Command(client, "USER alice");
      await pop3Command(client, "PASS alice-pw");
      await pop3Command(client, "QUIT");
      await client.closed();
      client.close();
    } finally {
      await server.close();
    }
    const log = lines.join("\n");
    expect(log).to.match(/pop3#\d+ C: PASS <redacted>/);
    expect(log).to.match(/pop3#\d+ S: \+OK alice's maildrop/);
    expect(log).not.to.include("alice-pw");
  });

  it("delivers through the Maildir store and serves the message back over POP3", async () => {
    const server = await startServer({ dataDir, portBase: "ephemeral", config: { ...defaultConfig(), auth: { ...defaultConfig().auth, failureDelayMs: 0 } } });
    try {
      const smtp = await LineClient.connect({ port: server.ports.smtp });
      await readSmtpReply(smtp);
      await smtpCommand(smtp, "EHLO c.test");
      await smtpCommand(smtp, "MAIL FROM:<a@b.test>");
      await smtpCommand(smtp, "RCPT TO:<bob@example.test>");
      await smtpCommand(smtp, "DATA");
      expect((await smtpCommand(smtp, "Subject: disk\r\n\r\n..dot\r\n.")).code).to.equal(250);
      smtp.close();
      const pop = await LineClient.connect({ port: server.ports.pop3 });
      await pop.readLine();
      await pop3Command(pop, "USER bob");
      expect(await pop3Command(pop, "PASS bob-pw")).to.match(/^\+OK .*1 messages/);
      const size = Number((await pop3Command(pop, "LIST 1")).split(" ")[2]);
      expect(await pop3Command(pop, "RETR 1")).to.match(/^\+OK/);
      const body = await readPop3Body(pop);
      expect(body.length).to.equal(size);
      expect(body.toString()).to.match(/\r\nSubject: disk\r\n\r\n\.dot\r\n$/);
      pop.close();
    } finally {
      await server.close();
    }
  });

  it("runs `serve` with the Maildir store until SIGTERM, then exits 0", async () => {
    // Below the ephemeral range, apart from the other test's range.
    const base = 18000 + Math.floor(Math.random() * 3000);
    const script = join(dataDir, "serve.mts");
    await writeFile(
      script,
      `import { runServeCommand } from ${JSON.stringify(SERVE_MODULE)};\nprocess.exitCode = await runServeCommand({ data: ${JSON.stringify(join(dataDir, "data"))}, portBase: ${base} });\n`,
    );
    const child = spawn(process.execPath, ["--import", "tsx", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", () => stdout.includes("pop3s") && resolve());
        child.once("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      expect(stdout).to.include(`smtp  127.0.0.1:${base + 25}`);
      expect(stdout).to.include(`pop3  127.0.0.1:${base + 110}`);
      // A session open at shutdown gets 421.
      const client = await LineClient.connect({ port: base + 25 });
      expect((await readSmtpReply(client)).code).to.equal(220);
      expect((await smtpCommand(client, "EHLO c.test")).code).to.equal(250);
      child.kill("SIGTERM");
      expect((await readSmtpReply(client)).code).to.equal(421);
      client.close();
      expect(await exited, stderr).to.equal(0);
    } finally {
      clearTimeout(timer);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});

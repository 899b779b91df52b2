// `record` end to end: a real client talks through the recording proxy to the
// reference server (SMTP with AUTH and DATA, POP3, IMAP with a literal); the
// written suite loads without errors, holds no password, keeps content in
// fixture files, and — the point of a skeleton — passes when run against the
// same server again.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { startRecording } from "../../../runner/record/proxy.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { runConformance } from "../../../runner/run/run.ts";
import type { Protocol } from "../../../runner/model/ast.ts";

const STEP_TIMEOUT_MS = 5000;

/** A client that sends each line, then reads until `done` says the reply is complete. */
async function converse(port: number, script: { send?: string; until: RegExp }[]): Promise<string> {
  const socket = net.connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (c: Buffer) => (received += c.toString("utf8")));
  socket.on("error", () => {});
  let seen = 0;
  try {
    for (const step of script) {
      if (step.send !== undefined) socket.write(step.send);
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      while (!step.until.test(received.slice(seen))) {
        if (Date.now() > deadline) throw new Error(`no ${step.until} after ${JSON.stringify(step.send)}; got ${JSON.stringify(received.slice(seen))}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      seen = received.length;
    }
  } finally {
    socket.end();
  }
  return received;
}

describe("record", function () {
  this.timeout(30_000);
  let server: RunningServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-record-"));
    server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function record(protocol: Protocol, port: number, script: { send?: string; until: RegExp }[]): Promise<string> {
    const out = path.join(dir, `${protocol}-session.yaml`);
    const rec = await startRecording({ listenPort: 0, to: { host: "127.0.0.1", port }, protocol, out, sessions: 1, users: [{ login: "alice", password: "alice-pw" }] });
    await converse(rec.port, script);
    const timer = setTimeout(() => void rec.close(), STEP_TIMEOUT_MS);
    await rec.done;
    clearTimeout(timer);
    return out;
  }

  async function replay(file: string): Promise<number> {
    const sink = { text: "", write(t: string) { this.text += t; } };
    const code = await runConformance({
      paths: [file],
      target: { kind: "started", start: async () => ({ target: { name: "reference", host: server.host, domain: server.domain, insecure: true, users: server.users.map((u) => ({ login: u.login, password: u.password, address: u.address })), endpoints: { smtp: { port: server.ports.smtp, tls: "none" }, pop3: { port: server.ports.pop3, tls: "none" }, imap: { port: server.ports.imap!, tls: "none" } } }, release: async () => {} }) },
      tags: [], jobs: 1, bail: false, list: false, timeoutMs: STEP_TIMEOUT_MS, reports: [{ name: "json", destination: file + ".json" }], cwd: dir, out: sink, err: sink,
    });
    expect(code, sink.text).to.equal(0);
    return code;
  }

  it("SMTP: AUTH becomes an auth step, DATA a fixture, and the skeleton passes again", async () => {
    const plain = Buffer.from("\0alice\0alice-pw").toString("base64");
    const file = await record("smtp", server.ports.smtp, [
      { until: /^220 .*\r\n/m },
      { send: "EHLO client.example\r\n", until: /^250 .*\r\n/m },
      { send: `AUTH PLAIN ${plain}\r\n`, until: /^235 .*\r\n/m },
      { send: "MAIL FROM:<alice@example.test>\r\n", until: /^250 .*\r\n/m },
      { send: "RCPT TO:<bob@example.test>\r\n", until: /^250 .*\r\n/m },
      { send: "DATA\r\n", until: /^354 .*\r\n/m },
      { send: "Subject: recorded\r\n\r\n..a line with a leading dot\r\n.\r\n", until: /^250 .*\r\n/m },
      { send: "QUIT\r\n", until: /^221 .*\r\n/m },
    ]);
    const text = await readFile(file, "utf8");
    expect(text).to.not.include("alice-pw").and.not.include(plain);
    expect(text).to.include("auth:").and.include("mechanism: PLAIN").and.include("file: fixtures/smtp-session-1-1.eml").and.include("expect: 354");
    expect(await readFile(path.join(dir, "fixtures", "smtp-session-1-1.eml"), "utf8")).to.equal("Subject: recorded\r\n\r\n.a line with a leading dot\r\n");
    const { errors } = await loadSuites([file]);
    expect(errors).to.deep.equal([]);
    await replay(file);
  });

  it("AUTH PLAIN with and without an initial response: the skeleton says which, and its replay sends what the client sent", async () => {
    const plain = Buffer.from("\0alice\0alice-pw").toString("base64");
    const cases: { protocol: Protocol; port: number; script: { send?: string; until: RegExp }[]; initial: boolean; command: RegExp }[] = [
      { protocol: "smtp", port: server.ports.smtp, initial: true, command: /^AUTH PLAIN \*\*\*$/, script: [{ until: /^220 .*\r\n/m }, { send: "EHLO c.example\r\n", until: /^250 .*\r\n/m }, { send: `AUTH PLAIN ${plain}\r\n`, until: /^235 .*\r\n/m }, { send: "QUIT\r\n", until: /^221 .*\r\n/m }] },
      { protocol: "smtp", port: server.ports.smtp, initial: false, command: /^AUTH PLAIN$/, script: [{ until: /^220 .*\r\n/m }, { send: "EHLO c.example\r\n", until: /^250 .*\r\n/m }, { send: "AUTH PLAIN\r\n", until: /^334.*\r\n/m }, { send: `${plain}\r\n`, until: /^235 .*\r\n/m }, { send: "QUIT\r\n", until: /^221 .*\r\n/m }] },
      { protocol: "pop3", port: server.ports.pop3, initial: true, command: /^AUTH PLAIN \*\*\*$/, script: [{ until: /^\+OK.*\r\n/m }, { send: `AUTH PLAIN ${plain}\r\n`, until: /^\+OK.*\r\n/m }, { send: "QUIT\r\n", until: /^\+OK.*\r\n/m }] },
      { protocol: "pop3", port: server.ports.pop3, initial: false, command: /^AUTH PLAIN$/, script: [{ until: /^\+OK.*\r\n/m }, { send: "AUTH PLAIN\r\n", until: /^\+.*\r\n/m }, { send: `${plain}\r\n`, until: /^\+OK.*\r\n/m }, { send: "QUIT\r\n", until: /^\+OK.*\r\n/m }] },
      { protocol: "imap", port: server.ports.imap!, initial: true, command: /^\S+ AUTHENTICATE PLAIN \*\*\*$/, script: [{ until: /^\* OK.*\r\n/m }, { send: `a1 AUTHENTICATE PLAIN ${plain}\r\n`, until: /^a1 OK.*\r\n/m }, { send: "a2 LOGOUT\r\n", until: /^a2 OK.*\r\n/m }] },
      { protocol: "imap", port: server.ports.imap!, initial: false, command: /^\S+ AUTHENTICATE PLAIN$/, script: [{ until: /^\* OK.*\r\n/m }, { send: "a1 AUTHENTICATE PLAIN\r\n", until: /^\+.*\r\n/m }, { send: `${plain}\r\n`, until: /^a1 OK.*\r\n/m }, { send: "a2 LOGOUT\r\n", until: /^a2 OK.*\r\n/m }] },
    ];
    for (const c of cases) {
      const what = `${c.protocol} ${c.initial ? "with" : "without"} an initial response`;
      const file = await record(c.protocol, c.port, c.script);
      const text = await readFile(file, "utf8");
      expect(text, what).to.include(`initial-response: ${c.initial}`).and.not.include(plain);
      await replay(file);
      const report = JSON.parse(await readFile(file + ".json", "utf8")) as { tests: { transcript: { dir: string; text: string }[] }[] };
      const lines = report.tests[0]!.transcript.filter((l) => l.dir === "C" || l.dir === "S");
      const at = lines.findIndex((l) => l.dir === "C" && /AUTH/i.test(l.text));
      expect(lines[at]?.text, what).to.match(c.command);
      // Without an initial response the server's empty challenge comes next and the response answers it.
      expect(lines[at + 1]?.text, what).to.match(c.initial ? /^(235|\+OK|\S+ OK)\b/ : /^(334|\+)( |$)/);
    }
  });

  it("POP3: USER/PASS become variables, multiline replies stay multiline", async () => {
    const file = await record("pop3", server.ports.pop3, [
      { until: /^\+OK.*\r\n/m },
      { send: "USER alice\r\n", until: /^\+OK.*\r\n/m },
      { send: "PASS alice-pw\r\n", until: /^\+OK.*\r\n/m },
      { send: "STAT\r\n", until: /^\+OK.*\r\n/m },
      { send: "LIST\r\n", until: /^\.\r\n/m },
      { send: "QUIT\r\n", until: /^\+OK.*\r\n/m },
    ]);
    const text = await readFile(file, "utf8");
    expect(text).to.include("send: USER ${user.login}").and.include("send: PASS ${user.password}").and.include("multiline: true").and.not.include("alice-pw");
    expect((await loadSuites([file])).errors).to.deep.equal([]);
    await replay(file);
  });

  it("IMAP: tags are the runner's, LOGIN is redacted, a literal becomes a fixture, untagged lines become shapes", async () => {
    const message = "Subject: hi\r\n\r\nbody\r\n";
    const file = await record("imap", server.ports.imap!, [
      { until: /^\* OK.*\r\n/m },
      { send: "x1 LOGIN alice alice-pw\r\n", until: /^x1 OK.*\r\n/m },
      { send: `x2 APPEND INBOX {${Buffer.byteLength(message)}}\r\n`, until: /^\+.*\r\n/m },
      { send: `${message}\r\n`, until: /^x2 OK.*\r\n/m },
      { send: "x3 SELECT INBOX\r\n", until: /^x3 OK.*\r\n/m },
      { send: "x4 LOGOUT\r\n", until: /^x4 OK.*\r\n/m },
    ]);
    const text = await readFile(file, "utf8");
    expect(text).to.include('LOGIN "${user.login}" "${user.password}"').and.include("* $_ EXISTS").and.not.include("alice-pw").and.not.match(/x\d /);
    expect(await readFile(path.join(dir, "fixtures", "imap-session-1-1.eml"), "utf8")).to.equal(message);
    expect((await loadSuites([file])).errors).to.deep.equal([]);
    await replay(file);
  });
});

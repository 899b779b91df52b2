// `mailconform stress` over real sockets: short runs against the reference
// server (every command answered right, no errors), and against a server
// that answers some commands wrongly (each wrong reply counted as that
// command's error, never as throughput).

import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import net from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import type { Target } from "../../../runner/model/target.ts";
import { rank } from "../../../runner/stress/latency.ts";
import { effectiveMix, MixError, parseMix, parseProtocols, pickProtocol, seededRandom } from "../../../runner/stress/mix.ts";
import { formatStress } from "../../../runner/stress/report.ts";
import { runStress } from "../../../runner/stress/run-stress.ts";
import { connectImap, expectImapOk } from "../../../runner/stress/checks.ts";
import { existsCount, imapQuoted } from "../../../runner/stress/sessions/imap.ts";

function referenceTarget(server: RunningServer): Target {
  return {
    name: "reference",
    host: server.host,
    domain: server.domain,
    insecure: true,
    users: server.users.map((u) => ({ login: u.login, password: u.password, address: u.address })),
    endpoints: {
      smtp: { port: server.ports.smtp, tls: "none" },
      pop3: { port: server.ports.pop3, tls: "none" },
      imap: { port: server.ports.imap!, tls: "none" },
    },
  };
}

async function inboxSize(server: RunningServer, user: { login: string; password: string }): Promise<number> {
  const imap = await connectImap({ host: server.host, port: server.ports.imap! }, 5000);
  try {
    await expectImapOk(imap, `LOGIN ${imapQuoted(user.login)} ${imapQuoted(user.password)}`, 5000);
    return existsCount((await expectImapOk(imap, "SELECT INBOX", 5000)).untagged) ?? -1;
  } finally {
    imap.close();
  }
}

const base = { seed: 7, timeoutMs: 5000, mailboxMessages: 5, messageOctets: 1500 };

describe("stress: mix and statistics", function () {
  it("parses weights and rejects nonsense", function () {
    expect(parseMix("smtp=3,pop3=1,imap=2")).to.deep.equal({ smtp: 3, pop3: 1, imap: 2 });
    expect(() => parseMix("smtp=x")).to.throw(MixError);
    expect(() => parseProtocols("smtp,ftp")).to.throw(MixError, /ftp/);
    expect(effectiveMix(["pop3"], parseMix("smtp=3,pop3=1"))).to.deep.equal({ smtp: 0, pop3: 1, imap: 0 });
    expect(() => effectiveMix(["imap"], parseMix("smtp=3"))).to.throw(MixError);
  });

  it("a seed replays the same choices, and weights shape them", function () {
    const draw = (seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 600 }, () => pickProtocol({ smtp: 3, pop3: 1, imap: 2 }, r));
    };
    expect(draw(5)).to.deep.equal(draw(5));
    expect(draw(5)).to.not.deep.equal(draw(6));
    const smtp = draw(5).filter((p) => p === "smtp").length;
    expect(smtp).to.be.within(240, 360); // expected 300
  });

  it("nearest-rank percentiles", function () {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(rank(sorted, 0.5)).to.equal(50);
    expect(rank(sorted, 0.99)).to.equal(99);
    expect(rank(Float64Array.of(3), 0.95)).to.equal(3);
  });
});

describe("stress: against the reference server", function () {
  this.timeout(30_000);
  let server: RunningServer;
  let dataDir: string;
  before(async function () {
    dataDir = await mkdtemp(path.join(tmpdir(), "mc-stress-"));
    server = await startServer({ portBase: "ephemeral", dataDir, host: "127.0.0.1" });
  });
  after(async function () {
    await server?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("runs the whole mix with every reply right", async function () {
    const result = await runStress({ ...base, target: referenceTarget(server), mix: { smtp: 1, pop3: 1, imap: 1 }, clients: 4, operations: 24 });
    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    const done = result.sessions.smtp.completed + result.sessions.pop3.completed + result.sessions.imap.completed;
    expect(done).to.equal(24);
    const commands = result.commands.map((c) => `${c.protocol} ${c.command}`);
    for (const c of ["smtp end-of-data", "pop3 RETR", "imap FETCH", "imap SEARCH", "imap APPEND", "imap UID STORE", "imap EXPUNGE"]) expect(commands).to.include(c);
    for (const c of result.commands) {
      expect(c.latencyMs!.min).to.be.at.most(c.latencyMs!.median);
      expect(c.latencyMs!.p99).to.be.at.most(c.latencyMs!.max);
      // The sum of the latencies lies between the largest one and ok × the largest.
      expect(c.totalMs).to.be.within(c.latencyMs!.max, c.ok * c.latencyMs!.max + 1e-9);
    }
    expect(formatStress(result)).to.match(/imap\s+FETCH\s+\d+\s+0\s/);
  });

  it("never overlaps two POP3 sessions of one user (the server locks the maildrop)", async function () {
    const target = referenceTarget(server);
    target.users = target.users.slice(0, 1);
    const result = await runStress({ ...base, target, mix: { smtp: 0, pop3: 1, imap: 0 }, clients: 4, operations: 12 });
    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.sessions.pop3.completed).to.equal(12);
  });

  it("leaves the prepared messages and deletes what IMAP appended", async function () {
    const target = referenceTarget(server);
    target.users = target.users.slice(1, 2);
    await runStress({ ...base, target, mix: { smtp: 0, pop3: 0, imap: 1 }, clients: 1, operations: 1 });
    const before = await inboxSize(server, target.users[0]!);
    expect(before).to.be.at.least(base.mailboxMessages);
    const result = await runStress({ ...base, target, mix: { smtp: 0, pop3: 0, imap: 1 }, clients: 3, operations: 9 });
    expect(result.totalErrors).to.equal(0);
    expect(result.commands.find((c) => c.command === "UID STORE")!.ok).to.equal(9);
    expect(await inboxSize(server, target.users[0]!)).to.equal(before);
  });

  it("long IMAP sessions run many commands per login, every kind of them, and leave the prepared messages", async function () {
    const target = referenceTarget(server);
    target.users = target.users.slice(1, 2);
    await runStress({ ...base, target, mix: { smtp: 0, pop3: 0, imap: 1 }, clients: 1, operations: 1 });
    const before = await inboxSize(server, target.users[0]!);
    const result = await runStress({ ...base, target, mix: { smtp: 0, pop3: 0, imap: 1 }, clients: 2, operations: 2, imapCommandsPerSession: 40 });
    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.sessions.imap.completed).to.equal(2);
    expect(result.options.imapCommandsPerSession).to.equal(40);
    const count = (command: string) => result.commands.find((c) => c.command === command)?.ok ?? 0;
    expect(count("LOGIN"), "one login per session").to.equal(2);
    // 40 drawn commands per session, each APPEND followed by UID STORE and EXPUNGE, plus the first SELECT.
    const drawn = ["LIST", "STATUS", "SELECT", "FETCH header", "FETCH body", "STORE", "APPEND"].reduce((sum, c) => sum + count(c), 0);
    expect(drawn).to.equal(2 * 40 + 2);
    for (const c of ["LIST", "STATUS", "FETCH header", "FETCH body", "STORE", "APPEND", "EXPUNGE"]) expect(count(c), c).to.be.greaterThan(0);
    expect(count("UID STORE")).to.equal(count("APPEND"));
    expect(await inboxSize(server, target.users[0]!)).to.equal(before);
  });
});

/** An SMTP server that answers RCPT with 451 in every other session, and otherwise right. */
function faultySmtpServer(): Promise<net.Server> {
  let session = 0;
  const server = net.createServer((socket) => {
    const faulty = session++ % 2 === 1;
    let data = false;
    let buffered = "";
    socket.write("220 faulty ESMTP\r\n");
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      let i: number;
      while ((i = buffered.indexOf("\r\n")) !== -1) {
        const line = buffered.slice(0, i);
        buffered = buffered.slice(i + 2);
        if (data) {
          if (line === ".") {
            data = false;
            socket.write("250 queued\r\n");
          }
          continue;
        }
        const verb = line.split(" ")[0]!.toUpperCase();
        if (verb === "RCPT") socket.write(faulty ? "451 try later\r\n" : "250 ok\r\n");
        else if (verb === "DATA") {
          data = true;
          socket.write("354 go\r\n");
        } else if (verb === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
    socket.on("error", () => {});
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("stress: a server that answers wrongly", function () {
  it("counts each wrong reply as an error of that command, not as throughput", async function () {
    const server = await faultySmtpServer();
    try {
      const port = (server.address() as net.AddressInfo).port;
      const target: Target = {
        name: "faulty",
        host: "127.0.0.1",
        domain: "example.test",
        insecure: false,
        users: [{ login: "u", password: "p", address: "u@example.test" }],
        endpoints: { smtp: { port, tls: "none" } },
      };
      const result = await runStress({ ...base, target, mix: { smtp: 1, pop3: 0, imap: 0 }, clients: 1, operations: 10 });
      const rcpt = result.commands.find((c) => c.command === "RCPT")!;
      expect(rcpt.errors).to.equal(5);
      expect(rcpt.ok).to.equal(5);
      expect(result.commands.find((c) => c.command === "end-of-data")!.ok).to.equal(5);
      expect(result.sessions.smtp).to.include({ completed: 5, failed: 5 });
      expect(result.errors).to.have.length(1);
      expect(result.errors[0]).to.include({ command: "RCPT", count: 5 });
      expect(result.errors[0]!.message).to.match(/expected 250, got "451/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

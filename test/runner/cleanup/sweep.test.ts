// The account sweep against the reference server on real sockets: what carries
// the run token goes (mailboxes with their children, INBOX messages, the
// marker it sends itself to wait for late mail), what the user had stays (a
// mailbox, a message flagged \Deleted), a renamed INBOX's messages come home;
// it verifies TLS with the target's tls-ca; and stopped by a second Ctrl-C
// it says what it left (a scripted server that stops answering mid-sweep).

import { expect } from "chai";
import { after, before, describe, it } from "mocha";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { describeSweep, sweepRun } from "../../../runner/cleanup/sweep.ts";
import { MARKER_FIELD } from "../../../runner/cleanup/settle.ts";
import type { Target } from "../../../runner/model/target.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { hang, line, send, startScriptedServer, tagOf, type ScriptedServer } from "../../support/scripted-server.ts";

const TIMEOUT_MS = 5_000;
const USERS = [
  { login: "alice", password: "alice-pw", address: "alice@example.test" },
  { login: "bob", password: "bob-pw", address: "bob@example.test" },
];

describe("cleanup: the account sweep", function () {
  this.timeout(30_000);
  let server: RunningServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mc-sweep-"));
    server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  function target(over: Partial<Target> = {}): Target {
    return {
      name: "reference",
      host: server.host,
      domain: "example.test",
      insecure: true,
      users: USERS,
      endpoints: { smtp: { port: server.ports.smtp, tls: "none" }, pop3: { port: server.ports.pop3, tls: "none" }, imap: { port: server.ports.imap!, tls: "none" } },
      ...over,
    };
  }

  async function as<T>(login: string, work: (c: ImapLineClient) => Promise<T>): Promise<T> {
    const user = USERS.find((u) => u.login === login)!;
    const c = await ImapLineClient.connect({ port: server.ports.imap! }, { timeoutMs: TIMEOUT_MS });
    try {
      expect((await c.run(`LOGIN ${user.login} ${user.password}`)).status).to.equal("OK");
      return await work(c);
    } finally {
      c.close();
    }
  }
  const okay = async (c: ImapLineClient, line: string, literal?: string) => expect((await c.run(line, literal)).status, line).to.equal("OK");

  /** Per user: INBOX subjects (sorted) and the mailbox names. */
  async function account(login: string): Promise<{ inbox: string[]; mailboxes: string[] }> {
    return as(login, async (c) => {
      await okay(c, "SELECT INBOX");
      const fetched = await c.run("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
      const inbox = fetched.untagged.flatMap((l) => /Subject: ([^\r\n]*)/.exec(l)?.[1] ?? []).sort();
      const list = await c.run('LIST "" "*"');
      return { inbox, mailboxes: list.untagged.map((l) => l.replace(/^\* LIST \([^)]*\) \S+ /, "").replace(/^"(.*)"$/, "$1")).sort() };
    });
  }

  it("removes what carries the token, keeps the user's own, brings a renamed INBOX's messages home, and waits for its marker", async () => {
    const token = "tok1abc2";
    const delimiter = await as("alice", async (c) => /^\* LIST \([^)]*\) "(.)"/.exec((await c.run('LIST "" ""')).untagged[0] ?? "")?.[1] ?? "/");
    await as("alice", async (c) => {
      await okay(c, "APPEND INBOX (\\Deleted)", "Subject: own, flagged deleted\r\n\r\nkeep\r\n");
      await okay(c, "APPEND INBOX", "Subject: own\r\n\r\nkeep\r\n");
      await okay(c, "APPEND INBOX", `Subject: mailconform test ${token}\r\n\r\nours\r\n`);
      await okay(c, "APPEND INBOX", `X-Mailconform-Run: ${token}\r\nSubject: fixture\r\n\r\nours\r\n`);
      await okay(c, 'CREATE "keep-me"');
      await okay(c, `CREATE "mc-${token}-a"`);
      await okay(c, `CREATE "mc-${token}-a${delimiter}child"`);
      await okay(c, `APPEND "mc-${token}-a"`, "Subject: appended by a test\r\n\r\nx\r\n");
      // As imap.rename.inbox leaves it when stopped before its `finally`: the user's message in the renamed INBOX.
      await okay(c, `CREATE "mc-${token}-imap-rename-inbox-restore-to-inbox"`);
      await okay(c, `APPEND "mc-${token}-imap-rename-inbox-restore-to-inbox" (\\Flagged)`, "Subject: own, moved aside\r\n\r\nkeep\r\n");
    });
    const before = { alice: await account("alice"), bob: await account("bob") };

    const report = await sweepRun(target(), token, { timeoutMs: TIMEOUT_MS, delivered: true, deliveryWaitMs: 5_000 });
    expect(report.problems).to.deep.equal([]);
    expect(report.notes).to.deep.equal([]);
    // alice: two INBOX messages, three mailboxes; the marker each user got is gone too, and not counted.
    expect(Object.fromEntries(report.removed)).to.deep.equal({ alice: { mailboxes: 3, messages: 2 }, bob: { mailboxes: 0, messages: 0 } });
    expect(describeSweep(report)).to.deep.equal(["cleanup: removed 2 messages and 3 mailboxes this run left behind"]);

    const alice = await account("alice");
    expect(alice.inbox).to.deep.equal(["own", "own, flagged deleted", "own, moved aside"]);
    expect(alice.mailboxes).to.deep.equal(before.alice.mailboxes.filter((m) => !m.includes(token)));
    expect(alice.mailboxes).to.include("keep-me");
    expect(await account("bob")).to.deep.equal(before.bob);
    // The moved-aside message kept its flag (COPY, RFC 3501 §6.4.7).
    await as("alice", async (c) => {
      await okay(c, "SELECT INBOX");
      expect((await c.run("SEARCH FLAGGED")).untagged.join(" ")).to.match(/^\* SEARCH \d+$/);
    });
  });

  it("verifies TLS with the target's tls-ca: trusted, it sweeps; without it, the certificate is refused", async () => {
    const ca = path.join(dir, "ca.pem");
    await writeFile(ca, server.certificate);
    const imaps = { imap: { port: server.ports.imaps!, tls: "implicit" as const } };
    const trusted = await sweepRun(target({ insecure: false, tlsCa: ca, endpoints: imaps }), "tok2abc3", { timeoutMs: TIMEOUT_MS });
    expect(trusted.problems).to.deep.equal([]);
    expect([...trusted.removed.keys()]).to.deep.equal(["alice", "bob"]);
    const untrusted = await sweepRun(target({ insecure: false, endpoints: imaps }), "tok2abc3", { timeoutMs: TIMEOUT_MS });
    expect(untrusted.problems).to.have.length(2);
    expect(untrusted.problems[0]).to.match(/^alice \(imap\): .*(self[- ]signed|certificate)/i);
  });

  it("sweeps over POP3 when the target has no IMAP, after its marker arrived", async () => {
    const token = "tok3abc4";
    await as("bob", (c) => okay(c, "APPEND INBOX", `Subject: mailconform ${token}\r\n\r\nours\r\n`));
    const report = await sweepRun(target({ endpoints: { smtp: { port: server.ports.smtp, tls: "none" }, pop3: { port: server.ports.pop3, tls: "none" } } }), token, {
      timeoutMs: TIMEOUT_MS,
      delivered: true,
    });
    expect(report.problems).to.deep.equal([]);
    expect(Object.fromEntries(report.removed)).to.deep.equal({ alice: { mailboxes: 0, messages: 0 }, bob: { mailboxes: 0, messages: 1 } });
    // The markers went with it: nothing carrying the token is left.
    const left = await sweepRun(target(), token, { timeoutMs: TIMEOUT_MS });
    expect(Object.fromEntries(left.removed)).to.deep.equal({ alice: { mailboxes: 0, messages: 0 }, bob: { mailboxes: 0, messages: 0 } });
  });

  it("waits for mail a server delivers after its 250: its marker comes after the run's last message", async () => {
    const token = "tok6abc7";
    const appendLater = (login: string, message: string, ms: number) =>
      new Promise<void>((resolve, reject) => setTimeout(() => as(login, (c) => okay(c, "APPEND INBOX", message)).then(() => resolve(), reject), ms));
    // The run's last message, accepted with 250 and still on its way.
    const lastMessage = (ms: number) => appendLater("alice", `Subject: mailconform late ${token}\r\n\r\nlate\r\n`, ms);
    // An MTA that queues: it answers 250 for the marker at once and delivers it (after the message before it) later.
    let delivered: Promise<unknown> = Promise.resolve();
    const mta = await startScriptedServer([
      send("220 queueing mta\r\n"),
      line(() => "250 ok\r\n"), // EHLO
      line(() => "250 ok\r\n"), // MAIL
      line(() => "250 ok\r\n"), // RCPT alice
      line(() => "250 ok\r\n"), // RCPT bob
      line(() => "354 go\r\n"), // DATA
      ...Array.from({ length: 6 }, () =>
        line((l) => {
          if (l !== ".") return null;
          const marker = `${MARKER_FIELD}: ${token}\r\nSubject: marker ${token}\r\n\r\nm\r\n`;
          delivered = Promise.all([appendLater("alice", marker, 900), appendLater("bob", marker, 900)]);
          return "250 queued\r\n";
        }),
      ),
      line(() => "221 bye\r\n"),
    ]);
    try {
      const late = lastMessage(700);
      const report = await sweepRun(target({ endpoints: { smtp: { port: mta.port, tls: "none" }, imap: { port: server.ports.imap!, tls: "none" } } }), token, { timeoutMs: TIMEOUT_MS, delivered: true });
      await Promise.all([late, delivered]);
      expect(report.notes).to.deep.equal([]);
      expect(report.removed.get("alice")).to.deep.equal({ mailboxes: 0, messages: 1 });
      expect((await account("alice")).inbox.filter((s) => s.includes(token))).to.deep.equal([]);
      // Without the wait the same late message is left behind: what the marker is for.
      const unwaited = lastMessage(700);
      const early = await sweepRun(target(), token, { timeoutMs: TIMEOUT_MS });
      await unwaited;
      expect(early.removed.get("alice")).to.deep.equal({ mailboxes: 0, messages: 0 });
      expect((await account("alice")).inbox).to.include(`mailconform late ${token}`);
      await sweepRun(target(), token, { timeoutMs: TIMEOUT_MS });
    } finally {
      await mta.close();
    }
  });

  describe("stopped by a second Ctrl-C", () => {
    let scripted: ScriptedServer | undefined;
    after(async () => scripted?.close());

    it("before it began: touches nothing and names what may be left", async () => {
      const stop = new AbortController();
      stop.abort();
      const report = await sweepRun(target(), "tok4abc5", { timeoutMs: TIMEOUT_MS, signal: stop.signal, delivered: true });
      expect(report.removed.size).to.equal(0);
      expect(describeSweep(report)).to.deep.equal(["cleanup skipped: mailboxes named mc-tok4abc5-… and messages carrying tok4abc5 may be left in the accounts of alice, bob"]);
    });

    it("midway: stops at once and says what it found and left", async () => {
      const token = "tok5abc6";
      const stop = new AbortController();
      const answer = (text: (tag: string) => string) => line((l) => text(tagOf(l)));
      // Two of our mailboxes and two INBOX messages; the second DELETE is never answered: the user presses Ctrl-C again.
      scripted = await startScriptedServer([
        send("* OK ready\r\n"),
        answer((t) => `${t} OK logged in\r\n`),
        answer((t) => `* LIST () "/" mc-${token}-aa\r\n* LIST () "/" mc-${token}-b\r\n${t} OK\r\n`),
        answer((t) => `* 7 EXISTS\r\n${t} OK [READ-WRITE] selected\r\n`),
        answer((t) => `* SEARCH 5 6\r\n${t} OK\r\n`),
        answer((t) => `${t} OK\r\n`),
        answer(() => "+ go\r\n"),
        answer(() => "t6 OK deleted\r\n"),
        answer(() => "+ go\r\n"),
        line(() => (stop.abort(), null)),
        hang(),
      ]);
      const started = Date.now();
      // One user at a time, so bob's sweep has not begun when the stop comes (by default a few users are swept at once).
      const report = await sweepRun(target({ endpoints: { imap: { port: scripted.port, tls: "none" } } }), token, { timeoutMs: 10_000, signal: stop.signal, concurrency: 1 });
      expect(Date.now() - started, "stopped at once, not after the read timeout").to.be.below(5_000);
      expect(report.problems).to.deep.equal([]);
      expect(Object.fromEntries(report.left!)).to.deep.equal({ alice: { mailboxes: 1, messages: 2 }, bob: undefined });
      expect(describeSweep(report)).to.deep.equal([
        "cleanup: removed 0 messages and 1 mailbox this run left behind",
        `cleanup skipped: left 1 mailbox named mc-${token}-… and 2 messages carrying ${token} (alice); not looked at: bob`,
      ]);
    });
  });
});

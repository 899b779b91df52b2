// POP3 over real sockets: table-driven error dialogues (every bad command
// gets -ERR and the session goes on), the maildrop lock, UPDATE only after
// QUIT, sizes that match RETR, TOP, UIDL, APOP, SASL, CAPA and STLS.

import { expect } from "chai";
import { createHash, createHmac } from "node:crypto";
import { removeTestDataDir, sessionsEnded, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { pop3Command, readPop3Body } from "../../../runner/session/line-replies.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const MESSAGES = [
  "Subject: one\r\nFrom: a@b.test\r\n\r\nfirst line\r\n.dotted line\r\nthird\r\n",
  "Subject: two\r\n\r\nsecond message\r\n",
  "Subject: three\r\n\r\n",
];

async function login(server: TestServer, user = "alice", password = `${user}-pw`): Promise<LineClient> {
  const client = await LineClient.connect({ port: server.ports.pop3 });
  expect(await client.readLine()).to.match(/^\+OK /);
  expect(await pop3Command(client, `USER ${user}`)).to.match(/^\+OK/);
  const reply = await pop3Command(client, `PASS ${password}`);
  expect(reply).to.match(/^\+OK/);
  return client;
}

type Step = [send: string, expect: RegExp];

const ERROR_CASES: { title: string; authenticated: boolean; steps: Step[] }[] = [
  { title: "transaction commands before login get -ERR", authenticated: false, steps: [["STAT", /^-ERR /], ["LIST", /^-ERR /], ["RETR 1", /^-ERR /], ["DELE 1", /^-ERR /], ["UIDL", /^-ERR /], ["TOP 1 1", /^-ERR /], ["NOOP", /^-ERR /], ["RSET", /^-ERR /]] },
  { title: "PASS without USER, USER without name, unknown command", authenticated: false, steps: [["PASS x", /^-ERR /], ["USER", /^-ERR /], ["XYZZY", /^-ERR /], ["", /^-ERR /], ["\u0000\u0001", /^-ERR /]] },
  { title: "wrong password gets -ERR [AUTH]", authenticated: false, steps: [["USER alice", /^\+OK/], ["PASS wrong", /^-ERR \[AUTH\] /], ["USER nobody", /^\+OK/], ["PASS x", /^-ERR \[AUTH\] /], ["APOP alice 0123456789abcdef0123456789abcdef", /^-ERR \[AUTH\] /], ["APOP alice", /^-ERR /]] },
  { title: "authorization commands after login get -ERR", authenticated: true, steps: [["USER alice", /^-ERR /], ["PASS alice-pw", /^-ERR /], ["AUTH PLAIN", /^-ERR /], ["STLS", /^-ERR /], ["APOP a b", /^-ERR /]] },
  { title: "bad message numbers get -ERR", authenticated: true, steps: [["RETR 0", /^-ERR /], ["RETR -1", /^-ERR /], ["RETR x", /^-ERR /], ["RETR 4", /^-ERR /], ["RETR 99999999999", /^-ERR /], ["RETR", /^-ERR /], ["LIST 1 2", /^-ERR /], ["DELE 0", /^-ERR /], ["TOP 1", /^-ERR /], ["TOP 1 -1", /^-ERR /], ["UIDL 9", /^-ERR /], ["STAT", /^\+OK 3 /]] },
  { title: "a deleted message cannot be used again", authenticated: true, steps: [["DELE 2", /^\+OK/], ["DELE 2", /^-ERR /], ["RETR 2", /^-ERR /], ["LIST 2", /^-ERR /], ["UIDL 2", /^-ERR /], ["TOP 2 0", /^-ERR /], ["STAT", /^\+OK 2 /], ["RSET", /^\+OK/], ["STAT", /^\+OK 3 /]] },
  { title: "an over-long line gets -ERR and the session goes on", authenticated: true, steps: [["NOOP " + "x".repeat(700), /^-ERR /], ["NOOP", /^\+OK/], ["STAT x", /^-ERR /]] },
];

describe("POP3 (reference server)", function () {
  let server: TestServer;
  let sizes: number[];
  beforeEach(async () => {
    server = await startTestServer();
    for (const m of MESSAGES) await server.store.deliver("alice", Buffer.from(m));
    sizes = MESSAGES.map((m) => Buffer.byteLength(m));
  });
  afterEach(async () => {
    await server.stop();
  });
  after(removeTestDataDir);

  for (const c of ERROR_CASES) {
    it(c.title, async () => {
      const client = c.authenticated ? await login(server) : await LineClient.connect({ port: server.ports.pop3 });
      try {
        if (!c.authenticated) await client.readLine();
        for (const [send, pattern] of c.steps) {
          const reply = await pop3Command(client, send);
          expect(reply, JSON.stringify(send.slice(0, 40))).to.match(pattern);
          expect(reply.length).to.be.at.most(510);
        }
        expect(await pop3Command(client, "QUIT")).to.match(/^\+OK/);
        await client.closed();
      } finally {
        client.close();
      }
    });
  }

  it("greets with an APOP timestamp and accepts APOP", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      const greeting = await client.readLine();
      const timestamp = /(<[^>]+@[^>]+>)/.exec(greeting)![1]!;
      const digest = createHash("md5").update(timestamp + "alice-pw").digest("hex");
      expect(await pop3Command(client, `APOP alice ${digest}`)).to.match(/^\+OK .*3 messages/);
    } finally {
      client.close();
    }
  });

  it("refuses a second USER after a successful USER, drops the first name, and logs in after a fresh USER (RFC 1939 §7)", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await client.readLine();
      expect(await pop3Command(client, "USER alice")).to.match(/^\+OK/);
      expect(await pop3Command(client, "USER bob")).to.match(/^-ERR /);
      // The refused USER is an unsuccessful one: PASS is no longer "immediately after a successful USER".
      expect(await pop3Command(client, "PASS alice-pw")).to.match(/^-ERR /);
      expect(await pop3Command(client, "STAT")).to.match(/^-ERR /);
      expect(await pop3Command(client, "USER bob")).to.match(/^\+OK/);
      expect(await pop3Command(client, "PASS bob-pw")).to.match(/^\+OK/);
      expect(await pop3Command(client, "QUIT")).to.match(/^\+OK/);
    } finally {
      client.close();
    }
  });

  it("refuses APOP between a successful USER and its PASS, even with the right digest (RFC 1939 §7)", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      const timestamp = /(<[^>]+@[^>]+>)/.exec(await client.readLine())![1]!;
      const digest = createHash("md5").update(timestamp + "alice-pw").digest("hex");
      expect(await pop3Command(client, "USER alice")).to.match(/^\+OK/);
      expect(await pop3Command(client, `APOP alice ${digest}`)).to.match(/^-ERR /);
      expect(await pop3Command(client, "STAT")).to.match(/^-ERR /);
      expect(await pop3Command(client, "QUIT")).to.match(/^\+OK/);
    } finally {
      client.close();
    }
  });

  it("reports STAT and LIST sizes that equal the octets RETR sends", async () => {
    const client = await login(server);
    try {
      expect(await pop3Command(client, "STAT")).to.equal(`+OK 3 ${sizes.reduce((a, b) => a + b)}`);
      expect(await pop3Command(client, "LIST")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString()).to.equal(sizes.map((s, i) => `${i + 1} ${s}\r\n`).join(""));
      expect(await pop3Command(client, "LIST 2")).to.equal(`+OK 2 ${sizes[1]}`);
      for (let i = 0; i < MESSAGES.length; i++) {
        expect(await pop3Command(client, `RETR ${i + 1}`)).to.match(/^\+OK/);
        const body = await readPop3Body(client);
        expect(body.toString()).to.equal(MESSAGES[i]);
        expect(body.length).to.equal(sizes[i]);
      }
    } finally {
      client.close();
    }
  });

  it("dot-stuffs RETR output on the wire", async () => {
    const client = await login(server);
    try {
      client.send("RETR 1\r\n");
      const lines: string[] = [];
      for (;;) {
        const line = await client.readLine();
        lines.push(line);
        if (line === ".") break;
      }
      expect(lines).to.include("..dotted line");
    } finally {
      client.close();
    }
  });

  it("answers TOP with the header, the blank line and n body lines", async () => {
    const client = await login(server);
    try {
      expect(await pop3Command(client, "TOP 1 0")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString()).to.equal("Subject: one\r\nFrom: a@b.test\r\n\r\n");
      expect(await pop3Command(client, "TOP 1 2")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString()).to.equal("Subject: one\r\nFrom: a@b.test\r\n\r\nfirst line\r\n.dotted line\r\n");
      expect(await pop3Command(client, "TOP 3 10")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString()).to.equal(MESSAGES[2]);
    } finally {
      client.close();
    }
  });

  it("gives UIDs that are stable across sessions and unique", async () => {
    const first = await login(server);
    expect(await pop3Command(first, "UIDL")).to.match(/^\+OK/);
    const listing = (await readPop3Body(first)).toString();
    const ids = listing.trim().split("\r\n").map((l) => l.split(" ")[1]!);
    expect(new Set(ids).size).to.equal(3);
    for (const id of ids) expect(id).to.match(/^[\x21-\x7e]{1,70}$/);
    expect(await pop3Command(first, "DELE 1")).to.match(/^\+OK/);
    expect(await pop3Command(first, "QUIT")).to.match(/^\+OK/);
    const second = await login(server);
    try {
      expect(await pop3Command(second, "UIDL 1")).to.equal(`+OK 1 ${ids[1]}`);
    } finally {
      second.close();
    }
  });

  it("locks the maildrop: a second session gets -ERR [IN-USE] until the first ends", async () => {
    const first = await login(server);
    const second = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await second.readLine();
      await pop3Command(second, "USER alice");
      expect(await pop3Command(second, "PASS alice-pw")).to.match(/^-ERR \[IN-USE\] /);
      // Still in AUTHORIZATION: another user can log in on the same connection.
      expect(await pop3Command(second, "USER bob")).to.match(/^\+OK/);
      expect(await pop3Command(second, "PASS bob-pw")).to.match(/^\+OK/);
      expect(await pop3Command(first, "QUIT")).to.match(/^\+OK/);
      const third = await login(server);
      third.close();
    } finally {
      first.close();
      second.close();
    }
  });

  it("deletes only in UPDATE after QUIT; a dropped connection deletes nothing and releases the lock", async () => {
    const dropped = await login(server);
    expect(await pop3Command(dropped, "DELE 1")).to.match(/^\+OK/);
    dropped.close();
    await sessionsEnded(server, dropped);
    expect(await server.store.inbox("alice")).to.have.length(3);
    const quitter = await login(server);
    expect(await pop3Command(quitter, "DELE 1")).to.match(/^\+OK/);
    expect(await pop3Command(quitter, "DELE 3")).to.match(/^\+OK/);
    expect(await server.store.inbox("alice")).to.have.length(3);
    expect(await pop3Command(quitter, "QUIT")).to.match(/^\+OK/);
    await quitter.closed();
    expect((await server.store.inbox("alice")).map((m) => m.toString())).to.deep.equal([MESSAGES[1]]);
  });

  it("answers a pipelined batch in order", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await client.readLine();
      client.send("USER alice\r\nPASS alice-pw\r\nSTAT\r\nDELE 1\r\nRETR 1\r\nNOOP\r\n");
      const replies = [];
      for (let i = 0; i < 6; i++) replies.push(await client.readLine());
      expect(replies.map((r) => r.split(" ")[0])).to.deep.equal(["+OK", "+OK", "+OK", "+OK", "-ERR", "+OK"]);
    } finally {
      client.close();
    }
  });

  it("lists capabilities by state and TLS", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await client.readLine();
      expect(await pop3Command(client, "CAPA")).to.match(/^\+OK/);
      const caps = (await readPop3Body(client)).toString().trim().split("\r\n");
      expect(caps).to.include.members(["TOP", "USER", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "SASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256"]);
      expect(caps.some((c) => c.startsWith("IMPLEMENTATION "))).to.equal(true);
    } finally {
      client.close();
    }
  });

  it("authenticates with SASL PLAIN, LOGIN and CRAM-MD5; '*' cancels", async () => {
    const plain = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await plain.readLine();
      expect(await pop3Command(plain, `AUTH PLAIN ${b64("\0alice\0alice-pw")}`)).to.match(/^\+OK/);
    } finally {
      plain.close();
    }
    const loginClient = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await loginClient.readLine();
      expect(await pop3Command(loginClient, "AUTH LOGIN")).to.equal(`+ ${b64("Username:")}`);
      expect(await pop3Command(loginClient, "*")).to.match(/^-ERR /);
      expect(await pop3Command(loginClient, "AUTH LOGIN")).to.match(/^\+ /);
      expect(await pop3Command(loginClient, b64("bob"))).to.match(/^\+ /);
      expect(await pop3Command(loginClient, b64("nope"))).to.match(/^-ERR \[AUTH\] /);
      expect(await pop3Command(loginClient, "AUTH CRAM-MD5")).to.match(/^\+ /);
      expect(await pop3Command(loginClient, "*")).to.match(/^-ERR /);
      const challenge = await pop3Command(loginClient, "AUTH CRAM-MD5");
      const text = Buffer.from(challenge.slice(2), "base64").toString();
      const digest = createHmac("md5", "bob-pw").update(text).digest("hex");
      expect(await pop3Command(loginClient, b64(`bob ${digest}`))).to.match(/^\+OK/);
    } finally {
      loginClient.close();
    }
  });

  it("discards commands pipelined behind STLS; POP3S uses implicit TLS", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3, insecure: true });
    try {
      await client.readLine();
      client.send("STLS\r\nUSER alice\r\nPASS alice-pw\r\n");
      expect(await client.readLine()).to.match(/^\+OK/);
      await client.startTls();
      // Replies come in order: had the injected USER and PASS run, their +OKs would be read here.
      expect(await pop3Command(client, "PASS alice-pw")).to.match(/^-ERR /);
      expect(await pop3Command(client, "STLS")).to.match(/^-ERR /);
      expect(await pop3Command(client, "CAPA")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString()).not.to.include("STLS");
    } finally {
      client.close();
    }
    const secure = await LineClient.connect({ port: server.ports.pop3s, tls: true, insecure: true });
    try {
      expect(await secure.readLine()).to.match(/^\+OK /);
      expect(await pop3Command(secure, "USER bob")).to.match(/^\+OK/);
      expect(await pop3Command(secure, "PASS bob-pw")).to.match(/^\+OK/);
    } finally {
      secure.close();
    }
  });

  it("refuses USER before TLS when plaintext is not allowed, and hides USER in CAPA", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.auth.plaintextWithoutTls = "never"));
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      await client.readLine();
      expect(await pop3Command(client, "CAPA")).to.match(/^\+OK/);
      const caps = (await readPop3Body(client)).toString().split("\r\n");
      expect(caps).not.to.include("USER");
      expect(caps).to.include("SASL CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256");
      expect(await pop3Command(client, "USER alice")).to.match(/^-ERR \[AUTH\] /);
      expect(await pop3Command(client, "AUTH PLAIN " + b64("\0alice\0alice-pw"))).to.match(/^-ERR \[AUTH\] /);
    } finally {
      client.close();
    }
  });

  it("ends an idle session after the autologout timer without UPDATE", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.pop3.idleTimeoutMs = 200));
    await server.store.deliver("alice", Buffer.from(MESSAGES[0]!));
    const client = await login(server);
    try {
      expect(await pop3Command(client, "DELE 1")).to.match(/^\+OK/);
      expect(await client.readLine(3000)).to.match(/^-ERR /);
      await client.closed();
      expect(await server.store.inbox("alice")).to.have.length(1);
    } finally {
      client.close();
    }
  });

  it("answers -ERR [SYS/TEMP] when the store fails and -ERR politely on shutdown", async () => {
    const client = await login(server);
    try {
      const box = await server.store.mailbox("alice", "INBOX");
      box.read = async () => {
        throw new Error("EIO");
      };
      expect(await pop3Command(client, "RETR 1")).to.match(/^-ERR \[SYS\/TEMP\] /);
      expect(await pop3Command(client, "NOOP")).to.match(/^\+OK/);
      const stopping = server.stop();
      expect(await client.readLine()).to.match(/^-ERR /);
      await client.closed();
      await stopping;
      expect(await server.store.inbox("alice")).to.have.length(3);
    } finally {
      client.close();
    }
  });
});

// POP3 over real sockets: table-driven error dialogues (every bad command
// gets -ERR and the session goes on), the maildrop lock, UPDATE only after
// QUIT, sizes that match RETR, TOP, UIDL, APOP, SASL, CAPA and STLS.

import { expect } from "chai";
import { createHash, createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { WireClient } from "../support/wire-client.ts";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const MESSAGES = [
  "Subject: one\r\nFrom: a@b.test\r\n\r\nfirst line\r\n.dotted line\r\nthird\r\n",
  "Subject: two\r\n\r\nsecond message\r\n",
  "Subject: three\r\n\r\n",
];

async function login(server: TestServer, user = "alice", password = `${user}-pw`): Promise<WireClient> {
  const client = await WireClient.connect(server.ports.pop3);
  expect(await client.line()).to.match(/^\+OK /);
  expect(await client.pop(`USER ${user}`)).to.match(/^\+OK/);
  const reply = await client.pop(`PASS ${password}`);
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
      const client = c.authenticated ? await login(server) : await WireClient.connect(server.ports.pop3);
      try {
        if (!c.authenticated) await client.line();
        for (const [send, pattern] of c.steps) {
          const reply = await client.pop(send);
          expect(reply, JSON.stringify(send.slice(0, 40))).to.match(pattern);
          expect(reply.length).to.be.at.most(510);
        }
        expect(await client.pop("QUIT")).to.match(/^\+OK/);
        expect(await client.closed()).to.equal(true);
      } finally {
        client.close();
      }
    });
  }

  it("greets with an APOP timestamp and accepts APOP", async () => {
    const client = await WireClient.connect(server.ports.pop3);
    try {
      const greeting = await client.line();
      const timestamp = /(<[^>]+@[^>]+>)/.exec(greeting)![1]!;
      const digest = createHash("md5").update(timestamp + "alice-pw").digest("hex");
      expect(await client.pop(`APOP alice ${digest}`)).to.match(/^\+OK .*3 messages/);
    } finally {
      client.close();
    }
  });

  it("reports STAT and LIST sizes that equal the octets RETR sends", async () => {
    const client = await login(server);
    try {
      expect(await client.pop("STAT")).to.equal(`+OK 3 ${sizes.reduce((a, b) => a + b)}`);
      expect(await client.pop("LIST")).to.match(/^\+OK/);
      expect((await client.multiline()).toString()).to.equal(sizes.map((s, i) => `${i + 1} ${s}\r\n`).join(""));
      expect(await client.pop("LIST 2")).to.equal(`+OK 2 ${sizes[1]}`);
      for (let i = 0; i < MESSAGES.length; i++) {
        expect(await client.pop(`RETR ${i + 1}`)).to.match(/^\+OK/);
        const body = await client.multiline();
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
        const line = await client.line();
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
      expect(await client.pop("TOP 1 0")).to.match(/^\+OK/);
      expect((await client.multiline()).toString()).to.equal("Subject: one\r\nFrom: a@b.test\r\n\r\n");
      expect(await client.pop("TOP 1 2")).to.match(/^\+OK/);
      expect((await client.multiline()).toString()).to.equal("Subject: one\r\nFrom: a@b.test\r\n\r\nfirst line\r\n.dotted line\r\n");
      expect(await client.pop("TOP 3 10")).to.match(/^\+OK/);
      expect((await client.multiline()).toString()).to.equal(MESSAGES[2]);
    } finally {
      client.close();
    }
  });

  it("gives UIDs that are stable across sessions and unique", async () => {
    const first = await login(server);
    expect(await first.pop("UIDL")).to.match(/^\+OK/);
    const listing = (await first.multiline()).toString();
    const ids = listing.trim().split("\r\n").map((l) => l.split(" ")[1]!);
    expect(new Set(ids).size).to.equal(3);
    for (const id of ids) expect(id).to.match(/^[\x21-\x7e]{1,70}$/);
    expect(await first.pop("DELE 1")).to.match(/^\+OK/);
    expect(await first.pop("QUIT")).to.match(/^\+OK/);
    const second = await login(server);
    try {
      expect(await second.pop("UIDL 1")).to.equal(`+OK 1 ${ids[1]}`);
    } finally {
      second.close();
    }
  });

  it("locks the maildrop: a second session gets -ERR [IN-USE] until the first ends", async () => {
    const first = await login(server);
    const second = await WireClient.connect(server.ports.pop3);
    try {
      await second.line();
      await second.pop("USER alice");
      expect(await second.pop("PASS alice-pw")).to.match(/^-ERR \[IN-USE\] /);
      // Still in AUTHORIZATION: another user can log in on the same connection.
      expect(await second.pop("USER bob")).to.match(/^\+OK/);
      expect(await second.pop("PASS bob-pw")).to.match(/^\+OK/);
      expect(await first.pop("QUIT")).to.match(/^\+OK/);
      const third = await login(server);
      third.close();
    } finally {
      first.close();
      second.close();
    }
  });

  it("deletes only in UPDATE after QUIT; a dropped connection deletes nothing and releases the lock", async () => {
    const dropped = await login(server);
    expect(await dropped.pop("DELE 1")).to.match(/^\+OK/);
    dropped.close();
    await sleep(100);
    expect(await server.store.inbox("alice")).to.have.length(3);
    const quitter = await login(server);
    expect(await quitter.pop("DELE 1")).to.match(/^\+OK/);
    expect(await quitter.pop("DELE 3")).to.match(/^\+OK/);
    expect(await server.store.inbox("alice")).to.have.length(3);
    expect(await quitter.pop("QUIT")).to.match(/^\+OK/);
    await quitter.closed();
    expect((await server.store.inbox("alice")).map((m) => m.toString())).to.deep.equal([MESSAGES[1]]);
  });

  it("answers a pipelined batch in order", async () => {
    const client = await WireClient.connect(server.ports.pop3);
    try {
      await client.line();
      client.send("USER alice\r\nPASS alice-pw\r\nSTAT\r\nDELE 1\r\nRETR 1\r\nNOOP\r\n");
      const replies = [];
      for (let i = 0; i < 6; i++) replies.push(await client.line());
      expect(replies.map((r) => r.split(" ")[0])).to.deep.equal(["+OK", "+OK", "+OK", "+OK", "-ERR", "+OK"]);
    } finally {
      client.close();
    }
  });

  it("lists capabilities by state and TLS", async () => {
    const client = await WireClient.connect(server.ports.pop3);
    try {
      await client.line();
      expect(await client.pop("CAPA")).to.match(/^\+OK/);
      const caps = (await client.multiline()).toString().trim().split("\r\n");
      expect(caps).to.include.members(["TOP", "USER", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS", "SASL PLAIN LOGIN CRAM-MD5"]);
      expect(caps.some((c) => c.startsWith("IMPLEMENTATION "))).to.equal(true);
    } finally {
      client.close();
    }
  });

  it("authenticates with SASL PLAIN, LOGIN and CRAM-MD5; '*' cancels", async () => {
    const plain = await WireClient.connect(server.ports.pop3);
    try {
      await plain.line();
      expect(await plain.pop(`AUTH PLAIN ${b64("\0alice\0alice-pw")}`)).to.match(/^\+OK/);
    } finally {
      plain.close();
    }
    const loginClient = await WireClient.connect(server.ports.pop3);
    try {
      await loginClient.line();
      expect(await loginClient.pop("AUTH LOGIN")).to.equal(`+ ${b64("Username:")}`);
      expect(await loginClient.pop("*")).to.match(/^-ERR /);
      expect(await loginClient.pop("AUTH LOGIN")).to.match(/^\+ /);
      expect(await loginClient.pop(b64("bob"))).to.match(/^\+ /);
      expect(await loginClient.pop(b64("nope"))).to.match(/^-ERR \[AUTH\] /);
      expect(await loginClient.pop("AUTH CRAM-MD5")).to.match(/^\+ /);
      expect(await loginClient.pop("*")).to.match(/^-ERR /);
      const challenge = await loginClient.pop("AUTH CRAM-MD5");
      const text = Buffer.from(challenge.slice(2), "base64").toString();
      const digest = createHmac("md5", "bob-pw").update(text).digest("hex");
      expect(await loginClient.pop(b64(`bob ${digest}`))).to.match(/^\+OK/);
    } finally {
      loginClient.close();
    }
  });

  it("discards commands pipelined behind STLS; POP3S uses implicit TLS", async () => {
    const client = await WireClient.connect(server.ports.pop3);
    try {
      await client.line();
      client.send("STLS\r\nUSER alice\r\nPASS alice-pw\r\n");
      expect(await client.line()).to.match(/^\+OK/);
      await client.startTls();
      expect(await client.silentFor(200)).to.equal(true);
      expect(await client.pop("PASS alice-pw")).to.match(/^-ERR /); // the injected USER was dropped
      expect(await client.pop("STLS")).to.match(/^-ERR /);
      expect(await client.pop("CAPA")).to.match(/^\+OK/);
      expect((await client.multiline()).toString()).not.to.include("STLS");
    } finally {
      client.close();
    }
    const secure = await WireClient.connect(server.ports.pop3s, { tls: true });
    try {
      expect(await secure.line()).to.match(/^\+OK /);
      expect(await secure.pop("USER bob")).to.match(/^\+OK/);
      expect(await secure.pop("PASS bob-pw")).to.match(/^\+OK/);
    } finally {
      secure.close();
    }
  });

  it("refuses USER before TLS when plaintext is not allowed, and hides USER in CAPA", async () => {
    await server.stop();
    server = await startTestServer((config) => (config.auth.plaintextWithoutTls = "never"));
    const client = await WireClient.connect(server.ports.pop3);
    try {
      await client.line();
      expect(await client.pop("CAPA")).to.match(/^\+OK/);
      const caps = (await client.multiline()).toString().split("\r\n");
      expect(caps).not.to.include("USER");
      expect(caps).to.include("SASL CRAM-MD5");
      expect(await client.pop("USER alice")).to.match(/^-ERR \[AUTH\] /);
      expect(await client.pop("AUTH PLAIN " + b64("\0alice\0alice-pw"))).to.match(/^-ERR \[AUTH\] /);
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
      expect(await client.pop("DELE 1")).to.match(/^\+OK/);
      expect(await client.line(3000)).to.match(/^-ERR /);
      expect(await client.closed()).to.equal(true);
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
      expect(await client.pop("RETR 1")).to.match(/^-ERR \[SYS\/TEMP\] /);
      expect(await client.pop("NOOP")).to.match(/^\+OK/);
      const stopping = server.stop();
      expect(await client.line()).to.match(/^-ERR /);
      expect(await client.closed()).to.equal(true);
      await stopping;
      expect(await server.store.inbox("alice")).to.have.length(3);
    } finally {
      client.close();
    }
  });
});

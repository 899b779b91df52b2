// The failed-login penalty (issue 13, item 6): many parallel connections
// guessing one account's password over IMAP LOGIN, POP3 USER/PASS and SMTP
// AUTH get about one password check per penalty, not one per connection per
// failure delay (before: 200 connections made 197 checks a second); the right
// password gets in once the penalty has passed, and a success clears it. With
// the penalty off (the bundled in-process run) wrong passwords stay fast.
// Standards: RFC 3501 §6.2.3, RFC 1939 §7, RFC 4954 §4; Dovecot auth_penalty.

import { expect } from "chai";
import { AuthPenalty } from "../../../reference-server/auth/penalty.ts";
import type { ServerConfig } from "../../../reference-server/config/types.ts";
import { UserDirectory } from "../../../reference-server/users/directory.ts";
import type { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { pop3Command, readPop3Status, readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { ImapLineClient as Imap } from "../../../runner/session/imap-line-client.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

const FAILURE_DELAY_MS = 20;
const PENALTY_MAX_MS = 400;

describe("auth: failed-login penalty over the wire", function () {
  let server: TestServer;
  let checks = 0;
  const verify = UserDirectory.prototype.verify;
  const clients: { close(): void }[] = [];
  before(() => {
    // Counts real password checks: an attempt refused by the penalty never reaches the directory.
    UserDirectory.prototype.verify = function (this: UserDirectory, login: string, password: string) {
      checks += 1;
      return verify.call(this, login, password);
    };
  });
  after(() => {
    UserDirectory.prototype.verify = verify;
  });
  async function start(auth: Partial<ServerConfig["auth"]>): Promise<void> {
    server = await startTestServer((config) => Object.assign(config.auth, { failureDelayMs: FAILURE_DELAY_MS, penaltyMaxMs: PENALTY_MAX_MS, ...auth }));
    checks = 0;
  }
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await server.stop();
  });

  async function imap(): Promise<ImapLineClient> {
    const c = await Imap.connect({ port: server.ports.imap! });
    clients.push(c);
    return c;
  }

  /** One connection of the given protocol that can try a password for alice, again and again. */
  async function guesser(protocol: "imap" | "pop3" | "smtp"): Promise<(password: string) => Promise<boolean>> {
    if (protocol === "imap") {
      const c = await imap();
      return async (password) => (await c.run(`LOGIN alice ${password}`)).status === "OK";
    }
    const c = await LineClient.connect({ port: server.ports[protocol]! });
    clients.push(c);
    if (protocol === "pop3") {
      await readPop3Status(c);
      return async (password) => {
        await pop3Command(c, "USER alice");
        return (await pop3Command(c, `PASS ${password}`)).startsWith("+OK");
      };
    }
    await readSmtpReply(c);
    await smtpCommand(c, "EHLO client.example.test");
    return async (password) => (await smtpCommand(c, `AUTH PLAIN ${Buffer.from(`\0alice\0${password}`).toString("base64")}`)).code === 235;
  }

  it("40 parallel connections over three protocols get about one check per penalty, not one per attempt", async function () {
    this.timeout(30_000);
    await start({});
    const protocols = ["imap", "pop3", "smtp"] as const;
    const guessers = await Promise.all(Array.from({ length: 40 }, (_, k) => guesser(protocols[k % 3]!)));
    const started = Date.now();
    const attempts = 10;
    await Promise.all(
      guessers.map(async (guess, k) => {
        for (let i = 0; i < attempts; i++) expect(await guess(`wrong-${k}-${i}`)).to.equal(false);
      }),
    );
    const elapsed = Date.now() - started;
    // The first round may all be checked at once (no failure is known yet); after that the account
    // and the address get one check per penalty interval, at least FAILURE_DELAY_MS apart.
    const allowed = guessers.length + Math.ceil(elapsed / FAILURE_DELAY_MS / 4) + 2;
    expect(checks, `${checks} checks for ${guessers.length * attempts} attempts in ${elapsed} ms`).to.be.at.most(allowed);
    expect(checks).to.be.below((guessers.length * attempts) / 2);
  });

  it("the right password gets in once the penalty has passed, and the success clears it", async function () {
    this.timeout(30_000);
    await start({});
    const guess = await guesser("imap");
    for (let i = 0; i < 6; i++) expect(await guess(`wrong-${i}`)).to.equal(false);
    const started = Date.now();
    expect(await (await guesser("pop3"))("alice-pw")).to.equal(true);
    expect(Date.now() - started, "waited at most the largest penalty").to.be.below(PENALTY_MAX_MS + 1000);
    // Cleared: a mistyped password right after is checked at once, answered after the plain delay.
    checks = 0;
    expect(await (await guesser("smtp"))("typo")).to.equal(false);
    expect(checks).to.equal(1);
  });

  it("with the penalty off (the bundled run), parallel wrong passwords are each checked and answered after the delay", async function () {
    await start({ penaltyMaxMs: 0 });
    const guessers = await Promise.all(Array.from({ length: 20 }, () => guesser("imap")));
    const started = Date.now();
    const results = await Promise.all(guessers.map((guess, k) => guess(`wrong-${k}`)));
    expect(results.every((ok) => !ok)).to.equal(true);
    expect(checks).to.equal(20);
    expect(Date.now() - started).to.be.below(FAILURE_DELAY_MS + 1000);
    expect(await guessers[0]!("alice-pw")).to.equal(true);
  });
});

describe("auth: AuthPenalty", () => {
  const policy = { failureDelayMs: 10, penaltyMaxMs: 80, penaltyForgetMs: 60_000 };
  const wrong = async () => null;

  it("doubles the delay per failure up to the cap", () => {
    expect([0, 1, 2, 3, 4, 5, 40].map((f) => AuthPenalty.delayMs(policy, f))).to.deep.equal([0, 10, 20, 40, 80, 80, 80]);
    expect(AuthPenalty.delayMs({ ...policy, penaltyMaxMs: 0 }, 5)).to.equal(0);
  });

  it("counts an account across addresses and an address across accounts; and holds back no one else", async () => {
    const penalty = new AuthPenalty();
    await penalty.run(policy, "alice", "192.0.2.1", wrong);
    let ran = 0;
    const counted = async () => {
      ran += 1;
      return null;
    };
    // Both wait for the key they share; started together, the second is refused while the first waits.
    const [a, b] = await Promise.all([penalty.run(policy, "ALICE", "192.0.2.9", counted), penalty.run(policy, "alice", "192.0.2.8", counted)]);
    expect([a, b, ran]).to.deep.equal([null, null, 1]);
    const [c, d] = await Promise.all([penalty.run(policy, "bob", "192.0.2.1", counted), penalty.run(policy, "carol", "192.0.2.1", counted)]);
    expect([c, d, ran]).to.deep.equal([null, null, 2]);
    expect(await penalty.run(policy, "dave", "198.51.100.7", async () => "dave")).to.equal("dave");
  });

  it("forgets failures after penaltyForgetMs", async () => {
    let now = 1_000_000;
    const penalty = new AuthPenalty(() => now);
    for (let i = 0; i < 3; i++) await penalty.run({ ...policy, failureDelayMs: 1 }, "alice", "192.0.2.1", wrong);
    now += policy.penaltyForgetMs + 1;
    let ran = 0;
    const counted = async () => {
      ran += 1;
      return null;
    };
    await Promise.all([1, 2, 3].map(() => penalty.run(policy, "alice", "192.0.2.1", counted)));
    expect(ran, "no penalty left: all three are checked").to.equal(3);
  });
});

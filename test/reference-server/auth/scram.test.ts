// The reference server's SCRAM-SHA-1 / SCRAM-SHA-256 mechanism through runSasl,
// driven by the runner's SCRAM client (the two sides share only wire/scram.ts,
// which test/wire/scram.test.ts holds to the RFC examples), and by hand-made
// messages for what a correct client never sends: a "p=" request, an m=
// extension, a bad saslname, a c= that is not the gs2 header, a final response
// that is not empty.

import { expect } from "chai";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { configuredMechanisms, findMechanism, usableMechanisms } from "../../../reference-server/auth/mechanisms.ts";
import type { Connection } from "../../../reference-server/core/connection.ts";
import { runSasl, type SaslChannel, type SaslMechanism } from "../../../reference-server/auth/sasl.ts";
import { MIN_SCRAM_ITERATIONS, scramMechanism } from "../../../reference-server/auth/scram.ts";
import { ClientError } from "../../../reference-server/core/errors.ts";
import { UserDirectory } from "../../../reference-server/users/directory.ts";
import { saslClient } from "../../../runner/protocols/common/sasl.ts";
import type { AuthStep } from "../../../runner/model/ast.ts";
import { authMessage, clientProof, hi, keysFromSaltedPassword, parseAttributes, type ScramMechanismName } from "../../../wire/scram.ts";
import type { ChannelBinding } from "../../../wire/channel-binding.ts";

const users = new UserDirectory({
  users: [
    { name: "alice", password: "plain:alice-pw", address: "alice@x.test", aliases: [] },
    { name: "bob", password: "plain:bob-pw", address: "bob@x.test", aliases: [] },
  ],
  postmaster: null,
});
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const text = (data: Buffer) => data.toString("utf8");

interface Exchange {
  mechanism?: ScramMechanismName;
  login?: string;
  password?: string;
  initialResponse?: boolean;
  channelBinding?: AuthStep["channelBinding"];
  tamper?: AuthStep["tamper"];
  iterations?: number;
  /** The client's view of the TLS channel (-PLUS sends it). */
  clientChannel?: ChannelBinding;
  /** The server's TLS channel; absent: a clear channel. */
  serverChannel?: SaslChannel;
  /** The server offers the -PLUS variant (a "y" flag over TLS is then a downgrade). */
  plusOffered?: boolean;
}

/** Run one exchange with the runner's client; resolves to the user or the ClientError reason, with the challenges seen. */
async function exchange(options: Exchange = {}): Promise<{ outcome: string; challenges: string[] }> {
  const name = options.mechanism ?? "SCRAM-SHA-256";
  const client = saslClient(name, options.login ?? "alice", options.password ?? "alice-pw", {
    channelBinding: options.channelBinding ?? "n",
    tamper: options.tamper,
    channel: options.clientChannel ?? null,
  });
  const challenges: string[] = [];
  const outcome = await runSasl({
    mechanism: scramMechanism(name, options.iterations ?? MIN_SCRAM_ITERATIONS, options.plusOffered),
    channel: options.serverChannel ?? null,
    initialResponse: options.initialResponse ? client.initial() : null,
    users,
    hostname: "h",
    failureDelayMs: 0,
    transport: {
      async challenge(data) {
        challenges.push(text(data));
        return client.respond(data);
      },
    },
  }).catch((error: unknown) => {
    if (error instanceof ClientError) return `refused: ${error.reason}`;
    throw error;
  });
  return { outcome, challenges };
}

/** Run one exchange with messages written by hand: `answers` maps each challenge to the next response (base64). */
async function scripted(mechanism: SaslMechanism, initial: string | null, answers: ((challenge: string) => string | Promise<string>)[]): Promise<{ outcome: string; challenges: string[] }> {
  const challenges: string[] = [];
  const outcome = await runSasl({
    mechanism,
    initialResponse: initial,
    users,
    hostname: "h",
    failureDelayMs: 0,
    transport: {
      async challenge(data) {
        challenges.push(text(data));
        return answers.shift()?.(text(data)) ?? "*";
      },
    },
  }).catch((error: unknown) => {
    if (error instanceof ClientError) return `refused: ${error.reason}`;
    throw error;
  });
  return { outcome, challenges };
}

describe("reference server SCRAM", () => {
  for (const mechanism of ["SCRAM-SHA-1", "SCRAM-SHA-256"] as const) {
    for (const initialResponse of [false, true]) {
      it(`${mechanism} ${initialResponse ? "with" : "without"} an initial response logs in and proves the server key`, async () => {
        const { outcome, challenges } = await exchange({ mechanism, initialResponse });
        expect(outcome).to.equal("alice");
        // Without an initial response the first challenge is empty; the last carries v= (the client checked it).
        const [serverFirst, serverFinal] = initialResponse ? challenges : challenges.slice(1);
        if (!initialResponse) expect(challenges[0]).to.equal("");
        expect(challenges).to.have.length(initialResponse ? 2 : 3);
        const [r, s, i] = parseAttributes(serverFirst!)!;
        expect(r!.name).to.equal("r");
        expect(r!.value.length).to.be.greaterThan(24 + 20); // the client's 24 characters, then ours
        expect(Buffer.from(s!.value, "base64")).to.have.length(16);
        expect(i).to.deep.equal({ name: "i", value: String(MIN_SCRAM_ITERATIONS) });
        expect(serverFinal).to.match(/^v=[A-Za-z0-9+/]+=*$/);
      });
    }
  }

  it("announces the configured iteration count, keeps a user's salt, and makes a fresh nonce each time", async () => {
    const first = await exchange({ iterations: 5000 });
    const second = await exchange({ iterations: 5000 });
    expect(first.outcome).to.equal("alice");
    const [a, b] = [first, second].map((e) => parseAttributes(e.challenges[1]!)!);
    expect(a![2]!.value).to.equal("5000");
    expect(a![1]!.value).to.equal(b![1]!.value);
    expect(a![0]!.value).to.not.equal(b![0]!.value);
  });

  it("refuses a wrong password, a proof one bit off and an altered nonce, after the server-first message", async () => {
    for (const options of [{ password: "wrong" }, { tamper: "proof" as const }, { tamper: "nonce" as const }, { mechanism: "SCRAM-SHA-1" as const, password: "bob-pw" }]) {
      const { outcome, challenges } = await exchange(options);
      expect(outcome, JSON.stringify(options)).to.equal("refused: auth-failed");
      // No server-final message is sent on failure (RFC 5802 §5.1 makes it optional).
      expect(challenges.some((c) => c.startsWith("v=")), JSON.stringify(options)).to.equal(false);
    }
  });

  it("refuses channel binding (p=) at once and accepts the y flag", async () => {
    const p = await exchange({ channelBinding: "p", initialResponse: true });
    expect(p).to.deep.equal({ outcome: "refused: auth-failed", challenges: [] });
    expect((await exchange({ channelBinding: "y" })).outcome).to.equal("alice");
  });

  it("lets an unknown user through to the proof with a stable made-up salt, then refuses", async () => {
    const one = await exchange({ login: "nobody", password: "x" });
    const two = await exchange({ login: "nobody", password: "x" });
    expect(one.outcome).to.equal("refused: auth-failed");
    const salts = [one, two].map((e) => parseAttributes(e.challenges[1]!)![1]!.value);
    expect(salts[0]).to.equal(salts[1]);
    expect(salts[0]).to.not.equal(parseAttributes((await exchange()).challenges[1]!)![1]!.value);
  });

  it("refuses malformed client-first messages: no gs2 flag, m= extension, bad saslname, no nonce", async () => {
    const mechanism = scramMechanism("SCRAM-SHA-256", MIN_SCRAM_ITERATIONS);
    for (const first of ["x,,n=alice,r=abc", "n,,m=ext,n=alice,r=abc", "n,,n=al=41ice,r=abc", "n,,n=alice", "n,,r=abc,n=alice", "n,a=,n=alice,r=abc", "n,,n=alice,r=a,b"]) {
      const { outcome, challenges } = await scripted(mechanism, b64(first), []);
      expect(outcome, first).to.equal("refused: auth-failed");
      expect(challenges, first).to.deep.equal([]);
    }
  });

  it("refuses a client-final message whose c= is not the gs2 header it sent", async () => {
    const mechanism = scramMechanism("SCRAM-SHA-256", MIN_SCRAM_ITERATIONS);
    const { outcome } = await scripted(mechanism, b64("n,,n=alice,r=abc"), [(serverFirst) => b64(`c=${b64("y,,")},${serverFirst.split(",")[0]},p=${b64("x".repeat(32))}`)]);
    expect(outcome).to.equal("refused: auth-failed");
  });

  it("wants an empty answer to the server-final message; '*' there cancels", async () => {
    for (const [last, want] of [
      ["", "alice"],
      [b64("junk"), "refused: auth-failed"],
      ["*", "refused: auth-cancelled"],
    ] as const) {
      const client = saslClient("SCRAM-SHA-256", "alice", "alice-pw", { channelBinding: "n" });
      let round = 0;
      const outcome = await runSasl({
        mechanism: scramMechanism("SCRAM-SHA-256", MIN_SCRAM_ITERATIONS),
        initialResponse: client.initial(),
        users,
        hostname: "h",
        failureDelayMs: 0,
        transport: { challenge: async (data) => (round++ === 0 ? client.respond(data) : last) },
      }).catch((error: ClientError) => `refused: ${error.reason}`);
      expect(outcome, JSON.stringify(last)).to.equal(want);
    }
  });

  it("accepts an authorization identity naming the same user only", async () => {
    const mechanism = scramMechanism("SCRAM-SHA-256", MIN_SCRAM_ITERATIONS);
    for (const [authzid, want] of [
      ["alice@x.test", "alice"],
      ["bob", "refused: auth-failed"],
    ] as const) {
      const header = `n,a=${authzid},`;
      const bare = "n=alice,r=clientnonce";
      const { outcome } = await scripted(mechanism, b64(header + bare), [
        async (serverFirst) => {
          const [r, s, i] = parseAttributes(serverFirst)!;
          const keys = keysFromSaltedPassword("sha256", await hi("sha256", "alice-pw", Buffer.from(s!.value, "base64"), Number(i!.value)));
          const withoutProof = `c=${b64(header)},r=${r!.value}`;
          return b64(`${withoutProof},p=${clientProof("sha256", keys, authMessage(bare, serverFirst, withoutProof)).toString("base64")}`);
        },
        () => "",
      ]);
      expect(outcome, authzid).to.equal(want);
    }
  });

  describe("-PLUS (channel binding)", () => {
    // Stand-ins for one TLS session's data (test/wire/channel-binding.test.ts computes real ones).
    const exporterData = Buffer.alloc(32, 7);
    const tlsChannel: SaslChannel = { binding: (type) => (type === "tls-exporter" ? exporterData : null) };
    const bound: ChannelBinding = { type: "tls-exporter", data: exporterData };

    for (const mechanism of ["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"] as const) {
      it(`${mechanism} logs in when c= carries the gs2 header and the channel's data`, async () => {
        const { outcome, challenges } = await exchange({ mechanism, clientChannel: bound, serverChannel: tlsChannel, initialResponse: true });
        expect(outcome).to.equal("alice");
        expect(challenges).to.have.length(2);
      });
    }

    it("refuses binding data one bit off and a c= whose header is not the one sent, after the server-first message", async () => {
      for (const tamper of ["channel-binding", "gs2-header"] as const) {
        const { outcome, challenges } = await exchange({ mechanism: "SCRAM-SHA-256-PLUS", clientChannel: bound, serverChannel: tlsChannel, tamper });
        expect(outcome, tamper).to.equal("refused: auth-failed");
        expect(challenges.filter((c) => c.startsWith("r=")), tamper).to.have.length(1);
      }
    });

    it("refuses a channel type the session does not define, and binding data from another session", async () => {
      const unique: ChannelBinding = { type: "tls-unique", data: Buffer.alloc(12, 1) };
      expect((await exchange({ mechanism: "SCRAM-SHA-256-PLUS", clientChannel: unique, serverChannel: tlsChannel })).outcome).to.equal("refused: auth-failed");
      const otherSession: ChannelBinding = { type: "tls-exporter", data: Buffer.alloc(32, 8) };
      expect((await exchange({ mechanism: "SCRAM-SHA-256-PLUS", clientChannel: otherSession, serverChannel: tlsChannel })).outcome).to.equal("refused: auth-failed");
    });

    it("refuses -PLUS without p= (a hand-made n flag), and -PLUS on a clear channel", async () => {
      const plus = scramMechanism("SCRAM-SHA-256-PLUS", MIN_SCRAM_ITERATIONS, true);
      expect((await scripted(plus, b64("n,,n=alice,r=abc"), [])).outcome).to.equal("refused: auth-failed");
      expect((await exchange({ mechanism: "SCRAM-SHA-256-PLUS", clientChannel: bound })).outcome).to.equal("refused: auth-failed");
    });

    it("refuses the y flag over TLS where -PLUS is offered (a downgrade), accepts it on a clear channel or where -PLUS is not offered", async () => {
      expect((await exchange({ channelBinding: "y", serverChannel: tlsChannel, plusOffered: true })).outcome).to.equal("refused: auth-failed");
      expect((await exchange({ channelBinding: "y", plusOffered: true })).outcome).to.equal("alice");
      expect((await exchange({ channelBinding: "y", serverChannel: tlsChannel, plusOffered: false })).outcome).to.equal("alice");
    });

    it("is advertised and found on TLS sessions only", () => {
      const config = defaultConfig();
      const clear = { tls: false, remoteAddress: "127.0.0.1" } as Connection;
      const secure = { tls: true, remoteAddress: "127.0.0.1" } as Connection;
      const offeredClear = usableMechanisms(clear, config, users).map((m) => m.name);
      expect(offeredClear).to.include("SCRAM-SHA-256").and.not.include("SCRAM-SHA-1-PLUS");
      expect(offeredClear).to.not.include("SCRAM-SHA-256-PLUS");
      expect(usableMechanisms(secure, config, users).map((m) => m.name)).to.include.members(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS"]);
      expect(findMechanism("scram-sha-256-plus", clear, config, users)).to.equal(undefined);
      expect(findMechanism("scram-sha-256-plus", secure, config, users)?.name).to.equal("SCRAM-SHA-256-PLUS");
    });

    it("the runner refuses to run -PLUS without a TLS channel to bind to", () => {
      expect(() => saslClient("SCRAM-SHA-256-PLUS", "alice", "alice-pw", { channelBinding: "n", channel: null })).to.throw(/TLS/);
    });
  });

  it("is offered only while every password is stored in plaintext", () => {
    const config = defaultConfig();
    expect(configuredMechanisms(config, users).map((m) => m.name)).to.include.members(["SCRAM-SHA-1", "SCRAM-SHA-256"]);
    const hashed = new UserDirectory({ users: [{ name: "carol", password: "scrypt$16384$8$1$c2FsdA==$aGFzaA==", address: "carol@x.test", aliases: [] }], postmaster: null });
    expect(configuredMechanisms(config, hashed).map((m) => m.name)).to.not.include("SCRAM-SHA-256");
  });
});

// The runner's SCRAM client: the RFC 5802 §5 / RFC 7677 §3 exchanges byte for
// byte, the checks it makes of the server (nonce prefix, syntax, iteration
// count, the v= signature), the deliberate mistakes of `tamper` and
// `channel-binding`, and whole `auth` steps against a scripted SMTP server
// that plays SCRAM right or wrong.

import { pbkdf2Sync } from "node:crypto";
import { expect } from "chai";
import { ScramClient } from "../../../../runner/protocols/common/sasl-scram.ts";
import { StepFailure } from "../../../../runner/session/step-failure.ts";
import type { AuthStep } from "../../../../runner/model/ast.ts";
import { authMessage, keysFromSaltedPassword, parseAttributes, proofMatches, serverSignature, type ScramHash } from "../../../../wire/scram.ts";
import * as A from "../../../support/ast.ts";
import { RFC_EXAMPLES } from "../../../support/scram-examples.ts";
import { line, reply, send, startScriptedServer, type Action, type ScriptedServer } from "../../../support/scripted-server.ts";

const client = (example: (typeof RFC_EXAMPLES)[number], options: Partial<ConstructorParameters<typeof ScramClient>[3]> = {}) =>
  new ScramClient(example.mechanism, "user", "pencil", { channelBinding: "n", clientNonce: example.clientNonce, ...options });

function failureOf(run: () => unknown): StepFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof StepFailure) return error;
    throw error;
  }
  throw new Error("no StepFailure thrown");
}

async function asyncFailureOf(run: () => Promise<unknown>): Promise<StepFailure> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (error instanceof StepFailure) return error;
  throw error ?? new Error("no StepFailure thrown");
}

describe("runner SCRAM client", () => {
  for (const example of RFC_EXAMPLES) {
    it(`sends the messages of ${example.name} and accepts its server signature`, async () => {
      const scram = client(example);
      expect(scram.clientFirst()).to.equal(`n,,${example.clientFirstBare}`);
      expect(await scram.clientFinal(example.serverFirst)).to.equal(`${example.withoutProof},p=${example.proof}`);
      expect(() => scram.requireServerVerified()).to.throw(StepFailure, /without a server-final-message/);
      expect(scram.serverFinal(`v=${example.verifier}`)).to.deep.equal({ verified: true });
      scram.requireServerVerified();
    });
  }

  it("fails the step on a wrong server signature, naming the expected one", async () => {
    const [example] = RFC_EXAMPLES;
    const scram = client(example!);
    await scram.clientFinal(example!.serverFirst);
    const failure = failureOf(() => scram.serverFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    expect(failure.failure.class).to.equal("assertion");
    expect(failure.message).to.match(/server signature \(v=\) is wrong.*MUST consider the exchange unsuccessful \(RFC 5802 §5\)/);
    expect(failure.failure.expected).to.equal(`v=${example!.verifier}`);
    expect(scram.serverFinal("e=invalid-proof")).to.deep.equal({ error: "invalid-proof" });
  });

  it("refuses a server-first message the RFC forbids", async () => {
    const [example] = RFC_EXAMPLES;
    const cases: [string, RegExp][] = [
      ["r=someoneElsesNonce,s=QSXCR+Q6sek8bf92,i=4096", /does not start with the client's nonce/],
      ["m=ext,r=fyko+d2lbbFgONRv9qkxdawLxyz,s=QSXCR+Q6sek8bf92,i=4096", /mandatory extension/],
      ["r=fyko+d2lbbFgONRv9qkxdawLxyz,i=4096,s=QSXCR+Q6sek8bf92", /not r=…,s=…,i=…/],
      ["r=fyko+d2lbbFgONRv9qkxdawLxyz,s=QSXCR+Q6sek8bf92,i=0", /iteration count/],
      ["r=fyko+d2lbbFgONRv9qkxdawLxyz,s=QSXCR+Q6sek8bf92,i=99999999", /iteration count/],
      ["r=fyko+d2lbbFgONRv9qkxdawLxyz,s=not base64!,i=4096", /salt/],
    ];
    for (const [serverFirst, message] of cases) {
      const failure = await asyncFailureOf(() => client(example!).clientFinal(serverFirst));
      expect(failure.failure.class, serverFirst).to.equal("protocol-violation");
      expect(failure.message, serverFirst).to.match(message);
    }
  });

  it("tampers as asked: one proof bit off, the server's nonce part altered", async () => {
    const [example] = RFC_EXAMPLES;
    const wrongProof = await client(example!, { tamper: "proof" }).clientFinal(example!.serverFirst);
    const proof = Buffer.from(parseAttributes(wrongProof)!.at(-1)!.value, "base64");
    const right = Buffer.from(example!.proof, "base64");
    expect(proof.length).to.equal(right.length);
    expect(proof[0]! ^ right[0]!).to.equal(1);
    expect(proof.subarray(1).equals(right.subarray(1))).to.equal(true);

    const alteredNonce = await client(example!, { tamper: "nonce" }).clientFinal(example!.serverFirst);
    const sent = parseAttributes(alteredNonce)!;
    const issued = parseAttributes(example!.serverFirst)![0]!.value;
    expect(sent[1]!.value).to.not.equal(issued);
    expect(sent[1]!.value.slice(0, -1)).to.equal(issued.slice(0, -1));
  });

  it("sends the gs2 header of the chosen channel-binding flag, and again in c=", async () => {
    const [example] = RFC_EXAMPLES;
    const y = client(example!, { channelBinding: "y" });
    expect(y.clientFirst()).to.equal(`y,,${example!.clientFirstBare}`);
    expect(await y.clientFinal(example!.serverFirst)).to.match(/^c=eSws,/);
    const p = client(example!, { channelBinding: "p" });
    expect(p.clientFirst()).to.equal(`p=tls-unique,,${example!.clientFirstBare}`);
    const c = Buffer.from(parseAttributes(await p.clientFinal(example!.serverFirst))![0]!.value, "base64");
    expect(c.subarray(0, 14).toString()).to.equal("p=tls-unique,,");
    expect(c.length).to.be.greaterThan(14);
  });

  it("binds -PLUS to the channel: p=<type> in the header, header and data in c=, tampered as asked", async () => {
    const [example] = RFC_EXAMPLES;
    const channel = { type: "tls-exporter" as const, data: Buffer.alloc(32, 5) };
    const plus = (tamper?: AuthStep["tamper"]) =>
      new ScramClient("SCRAM-SHA-1-PLUS", "user", "pencil", { channelBinding: "n", clientNonce: example!.clientNonce, channel, tamper });
    const cbindInput = async (c: ScramClient) => Buffer.from(parseAttributes(await c.clientFinal(example!.serverFirst))![0]!.value, "base64");
    expect(plus().clientFirst()).to.equal(`p=tls-exporter,,${example!.clientFirstBare}`);
    expect((await cbindInput(plus())).equals(Buffer.concat([Buffer.from("p=tls-exporter,,"), channel.data]))).to.equal(true);
    const flipped = Buffer.from(channel.data);
    flipped[0]! ^= 0x01;
    expect((await cbindInput(plus("channel-binding"))).equals(Buffer.concat([Buffer.from("p=tls-exporter,,"), flipped]))).to.equal(true);
    expect((await cbindInput(plus("gs2-header"))).equals(Buffer.concat([Buffer.from("n,,"), channel.data]))).to.equal(true);
  });

  it("quotes ',' and '=' in the user name", () => {
    const scram = new ScramClient("SCRAM-SHA-256", "a,b=c", "pw", { channelBinding: "n", clientNonce: "N" });
    expect(scram.clientFirst()).to.equal("n,,n=a=2Cb=3Dc,r=N");
  });
});

/** A scripted SMTP server that plays SCRAM-SHA-256 for alice / alice-secret-pw, with a switchable fault. */
function scramSmtpServer(fault: "none" | "wrong-signature" | "no-signature"): Action[] {
  const hash: ScramHash = "sha256";
  const salt = Buffer.from("mailconform-salt");
  const iterations = 4096;
  const keys = keysFromSaltedPassword(hash, pbkdf2Sync("alice-secret-pw", salt, iterations, 32, hash));
  let clientFirstBare = "";
  let serverFirst = "";
  const decode = (l: string) => Buffer.from(l, "base64").toString("utf8");
  return [
    send("220 scram.test ESMTP\r\n"),
    reply("334 \r\n"),
    line((l) => {
      clientFirstBare = decode(l).replace(/^n,,/, "");
      serverFirst = `r=${parseAttributes(clientFirstBare)![1]!.value}SRV,s=${salt.toString("base64")},i=${iterations}`;
      return `334 ${Buffer.from(serverFirst).toString("base64")}\r\n`;
    }),
    line((l) => {
      const final = decode(l);
      const withoutProof = final.slice(0, final.lastIndexOf(",p="));
      const message = authMessage(clientFirstBare, serverFirst, withoutProof);
      if (!proofMatches(hash, keys.storedKey, message, Buffer.from(final.slice(final.lastIndexOf(",p=") + 3), "base64"))) return "535 5.7.8 bad proof\r\n";
      if (fault === "no-signature") return "235 2.7.0 ok\r\n";
      const signature = fault === "wrong-signature" ? Buffer.alloc(32) : serverSignature(hash, keys.serverKey, message);
      return `334 ${Buffer.from(`v=${signature.toString("base64")}`).toString("base64")}\r\n`;
    }),
    line((l) => (l === "" ? "235 2.7.0 ok\r\n" : "535 5.7.8 expected an empty response\r\n")),
  ];
}

describe("exec: SMTP AUTH SCRAM against a scripted server", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Action[], step: Partial<AuthStep> = {}) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("smtp", [{ ...A.auth("SCRAM-SHA-256"), ...step } as AuthStep]), A.target("smtp", server.port));
  }

  it("passes a right exchange; every client message is redacted", async () => {
    const { result } = await runWith(scramSmtpServer("none"));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: AUTH SCRAM-SHA-256", "C: ***", "C: ***", "C: ***"]);
  });

  it("fails on a wrong server signature with a clear message", async () => {
    const { result } = await runWith(scramSmtpServer("wrong-signature"));
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.match(/^SCRAM-SHA-256: the server signature \(v=\) is wrong/);
  });

  it("fails a success reply that never proved the server's key", async () => {
    const { result } = await runWith(scramSmtpServer("no-signature"));
    expect(result.failure?.message).to.match(/success without a server-final-message \(v=\)/);
  });

  it("a wrong-proof step passes only where the server refuses it", async () => {
    const refused = await runWith(scramSmtpServer("none"), { tamper: "proof", outcome: "failure" });
    expect(refused.result.status, JSON.stringify(refused.result.failure)).to.equal("passed");
    await server?.close();
    // A server that accepts any proof (skips the check) fails the step.
    const lax: Action[] = [
      send("220 lax ESMTP\r\n"),
      reply("334 \r\n"),
      line((l) => {
        const clientNonce = parseAttributes(Buffer.from(l, "base64").toString().slice("n,,".length))![1]!.value;
        return `334 ${Buffer.from(`r=${clientNonce}S,s=QQ==,i=4096`).toString("base64")}\r\n`;
      }),
      reply("235 2.7.0 anything goes\r\n"),
    ];
    const lenient = await runWith(lax, { tamper: "proof", outcome: "failure" });
    expect(lenient.result.failure?.message).to.match(/expected 535, got 235/);
  });

  it("cancels after the client-first message: '*' answers the server-first message", async () => {
    const actions: Action[] = [
      send("220 scram.test ESMTP\r\n"),
      reply("334 \r\n"),
      line(() => `334 ${Buffer.from("r=whatever,s=QQ==,i=4096").toString("base64")}\r\n`),
      line((l) => (l === "*" ? "501 5.7.0 cancelled\r\n" : "535 no\r\n")),
    ];
    const { result } = await runWith(actions, { outcome: "cancel" });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: AUTH SCRAM-SHA-256", "C: ***", "C: *"]);
  });
});

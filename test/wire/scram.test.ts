// The SCRAM algorithm against the examples of RFC 5802 §5 (SHA-1) and RFC 7677 §3 (SHA-256),
// and the saslname quoting and attribute syntax of RFC 5802 §5.1 / §7.

import { expect } from "chai";
import {
  authMessage,
  clientProof,
  decodeSaslname,
  encodeSaslname,
  hi,
  isBase64,
  keysFromSaltedPassword,
  parseAttributes,
  proofMatches,
  serverSignature,
} from "../../wire/scram.ts";
import { RFC_EXAMPLES } from "../support/scram-examples.ts";

describe("wire/scram", () => {
  for (const example of RFC_EXAMPLES) {
    it(`reproduces the proof and server signature of ${example.name}`, async () => {
      const attributes = parseAttributes(example.serverFirst)!;
      const salt = Buffer.from(attributes[1]!.value, "base64");
      const keys = keysFromSaltedPassword(example.hash, await hi(example.hash, "pencil", salt, Number(attributes[2]!.value)));
      const message = authMessage(example.clientFirstBare, example.serverFirst, example.withoutProof);
      expect(clientProof(example.hash, keys, message).toString("base64")).to.equal(example.proof);
      expect(serverSignature(example.hash, keys.serverKey, message).toString("base64")).to.equal(example.verifier);
      // The server's side of the same check: the proof recovers a ClientKey that hashes to StoredKey.
      expect(proofMatches(example.hash, keys.storedKey, message, Buffer.from(example.proof, "base64"))).to.equal(true);
      const wrong = Buffer.from(example.proof, "base64");
      wrong[0]! ^= 1;
      expect(proofMatches(example.hash, keys.storedKey, message, wrong)).to.equal(false);
      expect(proofMatches(example.hash, keys.storedKey, `${message}x`, Buffer.from(example.proof, "base64"))).to.equal(false);
      expect(proofMatches(example.hash, keys.storedKey, message, Buffer.alloc(3))).to.equal(false);
    });
  }

  it("Hi() with one iteration is U1 = HMAC(str, salt + INT(1))", async () => {
    const { createHmac } = await import("node:crypto");
    const salt = Buffer.from("salt");
    const u1 = createHmac("sha256", "pw").update(Buffer.concat([salt, Buffer.from([0, 0, 0, 1])])).digest();
    expect((await hi("sha256", "pw", salt, 1)).equals(u1)).to.equal(true);
  });

  it("quotes ',' and '=' in a saslname and refuses '=' followed by anything else", () => {
    expect(encodeSaslname("a,b=c")).to.equal("a=2Cb=3Dc");
    expect(decodeSaslname("a=2Cb=3Dc")).to.equal("a,b=c");
    for (const bad of ["a=", "a=2", "a=2D", "=41"]) expect(decodeSaslname(bad), bad).to.equal(null);
  });

  it("splits attribute lists and knows canonical base64", () => {
    expect(parseAttributes("r=abc,s=QQ==,i=1")).to.deep.equal([
      { name: "r", value: "abc" },
      { name: "s", value: "QQ==" },
      { name: "i", value: "1" },
    ]);
    expect(parseAttributes("r=a,,s=b")).to.equal(null);
    expect(parseAttributes("rr=a")).to.equal(null);
    expect(parseAttributes("r=")).to.equal(null);
    expect(isBase64("QQ==")).to.equal(true);
    for (const bad of ["QQ", "Q===", "QQ= ", "Q-Q="]) expect(isBase64(bad), bad).to.equal(false);
  });
});

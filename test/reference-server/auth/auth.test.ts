// Password storage and the SASL mechanisms as protocol-independent state machines.

import { expect } from "chai";
import { UserDirectory } from "../../../reference-server/users/directory.ts";
import { login } from "../../../reference-server/auth/login.ts";
import { hashPassword, verifyPassword } from "../../../reference-server/users/passwords.ts";
import { plain } from "../../../reference-server/auth/plain.ts";
import { decodeBase64, runSasl } from "../../../reference-server/auth/sasl.ts";
import { ClientError } from "../../../reference-server/core/errors.ts";

describe("authentication", () => {
  const someUsers = new UserDirectory({ users: [{ name: "alice", password: "plain:pw", address: "alice@x.test", aliases: [] }], postmaster: null });

  it("verifies scrypt hashes and plain passwords, rejecting wrong ones", async () => {
    const hash = await hashPassword("s3cret", { N: 1024, r: 8, p: 1 });
    expect(hash).to.match(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword(hash, "s3cret")).to.equal(true);
    expect(await verifyPassword(hash, "s3cret ")).to.equal(false);
    expect(await verifyPassword("plain:pw", "pw")).to.equal(true);
    expect(await verifyPassword("plain:pw", "pw2")).to.equal(false);
    expect(await verifyPassword("scrypt$bogus", "x")).to.equal(false);
  });

  it("parses PLAIN messages, refusing malformed ones", () => {
    const step = (bytes: string) => plain.start("h", someUsers).next(Buffer.from(bytes));
    expect(step("\0alice\0pw")).to.deep.equal({ credentials: { kind: "password", authzid: "", login: "alice", password: "pw" } });
    expect(step("admin\0alice\0pw")).to.deep.include({ credentials: { kind: "password", authzid: "admin", login: "alice", password: "pw" } });
    for (const bad of ["alice\0pw", "\0\0pw", "\0alice\0", "\0a\0b\0c"]) expect(step(bad)).to.have.property("malformed");
    expect(plain.start("h", someUsers).next(null)).to.deep.equal({ challenge: Buffer.alloc(0) });
  });

  it("runs LOGIN as two challenges", () => {
    const exchange = login.start("h", someUsers);
    expect(exchange.next(null)).to.deep.equal({ challenge: Buffer.from("Username:") });
    expect(exchange.next(Buffer.from("bob"))).to.deep.equal({ challenge: Buffer.from("Password:") });
    expect(exchange.next(Buffer.from("pw"))).to.deep.equal({ credentials: { kind: "password", authzid: "", login: "bob", password: "pw" } });
  });

  it("decodes base64 strictly", () => {
    expect(decodeBase64("YWxpY2U=").toString()).to.equal("alice");
    for (const bad of ["YWxpY2U", "YW=xpY2U", "!!!!", "YWxp Y2U="]) expect(() => decodeBase64(bad)).to.throw(ClientError);
  });

  it("drives an exchange over any transport, with cancel and failure", async () => {
    const users = new UserDirectory({ users: [{ name: "alice", password: "plain:pw", address: "alice@x.test", aliases: [] }], postmaster: null });
    const answers = (lines: string[]) => ({ challenge: async () => lines.shift() ?? "*" });
    const base = { mechanism: login, users, hostname: "h", failureDelayMs: 0 };
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    expect(await runSasl({ ...base, initialResponse: null, transport: answers([b64("alice@x.test"), b64("pw")]) })).to.equal("alice");
    const cancelled = await runSasl({ ...base, initialResponse: null, transport: answers(["*"]) }).catch((e: ClientError) => e.reason);
    expect(cancelled).to.equal("auth-cancelled");
    const failed = await runSasl({ ...base, initialResponse: b64("alice"), transport: answers([b64("nope")]) }).catch((e: ClientError) => e.reason);
    expect(failed).to.equal("auth-failed");
  });
});

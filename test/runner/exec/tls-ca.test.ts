// Trusting a private CA or a pinned certificate (`tls-ca: FILE`, `--ca FILE`):
// a good certificate then verifies, a bad one fails for its own fault (expired,
// wrong host) instead of "self-signed"; a missing or non-PEM file is a target
// error at load time, positioned in the target file.

import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTarget, targetFromFlags, TargetError } from "../../../runner/target/load.ts";
import * as A from "../../support/ast.ts";
import { close, makeCertificate, reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

describe("exec: trusted certificates (tls-ca, --ca)", () => {
  let dir = "";
  let server: ScriptedServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-tls-ca-"));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it("a pinned self-signed certificate verifies: the test passes without --insecure", async () => {
    const credentials = await makeCertificate();
    await writeFile(path.join(dir, "pinned.pem"), credentials.cert);
    server = await startScriptedServer([send("+OK hi\r\n"), reply("+OK bye\r\n"), close()], { tls: true, credentials });
    const target = { ...A.target("pop3", server.port, "implicit"), tlsCa: path.join(dir, "pinned.pem") };
    const { result } = await A.run(A.testCase("pop3", [A.send("QUIT"), A.pop3("+OK")]), target);
    expect(result.status, result.failure?.message).to.equal("passed");
    expect(result.transcript.some((l) => l.dir === "*" && l.text.startsWith("TLS established"))).to.equal(true);
  });

  it("the same server without the pinned certificate fails as self-signed", async () => {
    server = await startScriptedServer([send("+OK hi\r\n")], { tls: true, credentials: await makeCertificate() });
    const { result } = await A.run(A.testCase("pop3", [A.send("QUIT")]), A.target("pop3", server.port, "implicit"));
    expect(result.failure?.message).to.match(/self[- ]signed certificate/);
  });

  it("a target file's tls-ca is resolved relative to the file", async () => {
    await writeFile(path.join(dir, "ca.pem"), (await makeCertificate()).cert);
    const file = path.join(dir, "lab.yaml");
    await writeFile(file, "host: 127.0.0.1\ndomain: lab.test\npop3: 11110\ntls-ca: ca.pem\nusers: [{ login: a, password: b }]\n");
    expect((await loadTarget(file)).tlsCa).to.equal(path.join(dir, "ca.pem"));
  });

  it("a missing or non-PEM tls-ca is a positioned target error", async () => {
    await writeFile(path.join(dir, "junk.pem"), "not a certificate\n");
    for (const [name, message] of [["missing.pem", /'tls-ca': no such file: .*missing\.pem/], ["junk.pem", /'tls-ca': .*junk\.pem holds no PEM certificate/]] as const) {
      const file = path.join(dir, "lab.yaml");
      await writeFile(file, `host: 127.0.0.1\ndomain: lab.test\npop3: 11110\ntls-ca: ${name}\nusers: [{ login: a, password: b }]\n`);
      const error = await loadTarget(file).then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(TargetError);
      const first = (error as TargetError).errors[0]!;
      expect(first.line).to.equal(4);
      expect(first.message).to.match(message);
    }
  });

  it("--ca builds the same target from flags, and names a bad file", async () => {
    await writeFile(path.join(dir, "ca.pem"), (await makeCertificate()).cert);
    expect(targetFromFlags({ pop3: 110, ca: path.join(dir, "ca.pem") }).tlsCa).to.equal(path.join(dir, "ca.pem"));
    expect(() => targetFromFlags({ pop3: 110, ca: path.join(dir, "nope.pem") })).to.throw(TargetError);
  });
});

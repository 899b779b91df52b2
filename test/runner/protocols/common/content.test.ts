// Interpolated fixtures at run time, from a suite file to the wire: a DATA
// step sends the fixture's octets with the run's values inserted (8-bit text
// unchanged, values as UTF-8, dot-stuffed as ever), and POP3 equals-after-trace
// compares a message with the same interpolated text, so a copy from another
// run (another token) is a difference.

import { expect } from "chai";
import { afterEach, describe, it } from "mocha";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestCase } from "../../../../runner/model/ast.ts";
import * as A from "../../../support/ast.ts";
import { linesUntil, reply, send, startScriptedServer, type ScriptedServer } from "../../../support/scripted-server.ts";
import { loadFiles } from "../../suite/load-files.ts";

const FIXTURE = Buffer.from("Message-ID: <${run.token}.${test.slug}@mc.example>\nSubject: caf\xe9 ${user.address}\n\n.dot $${x}\n", "latin1");

/** The one test of a suite file `steps` make, with fixtures/m.eml beside it. */
async function loadTest(protocol: "smtp" | "pop3", steps: string[], fixture: Buffer = FIXTURE): Promise<TestCase> {
  const text = ["protocol: " + protocol, "title: T", "tests:", "  - id: t.one", "    title: x", "    refs: [RFC 5321 §4.5.2]", "    level: MUST", "    quote: x", "    steps:", ...steps.map((s) => `      - ${s}`), ""].join("\n");
  const { errors, suites } = await loadFiles({ "s.yaml": text, "fixtures/m.eml": fixture as unknown as string });
  expect(errors).to.deep.equal([]);
  return suites[0]!.tests[0]!;
}

const users = [{ login: "j\u00f6rg", password: "pw", address: "j\u00f6rg@lab.test" }];

describe("exec: interpolated fixtures", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("DATA sends the fixture's octets with the run's values inserted as UTF-8, dot-stuffed", async () => {
    const test = await loadTest("smtp", ["expect: 220", "send: DATA", "expect: 354", "data: { file: fixtures/m.eml, interpolate: true }", "expect: 250"]);
    server = await startScriptedServer([send("220 ready\r\n"), reply("354 go\r\n"), linesUntil("."), send("250 ok\r\n")]);
    const { result } = await A.run(test, A.target("smtp", server.port, "none", { users }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal("DATA\r\nMessage-ID: <tok123.t-one@mc.example>\r\nSubject: caf\xe9 j\xc3\xb6rg@lab.test\r\n\r\n..dot ${x}\r\n.\r\n");
  });

  it("without 'interpolate' the fixture goes out as it is on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mc-"));
    const fixture = join(dir, "m.eml");
    writeFileSync(fixture, FIXTURE);
    server = await startScriptedServer([send("220 ready\r\n"), reply("354 go\r\n"), linesUntil("."), send("250 ok\r\n")]);
    const { result } = await A.run(A.testCase("smtp", [A.send("DATA"), A.smtp("354"), A.dataFile(fixture), A.smtp("250")]), A.target("smtp", server.port, "none", { users }));
    rmSync(dir, { recursive: true, force: true });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal("DATA\r\nMessage-ID: <${run.token}.${test.slug}@mc.example>\r\nSubject: caf\xe9 ${user.address}\r\n\r\n..dot $${x}\r\n.\r\n");
  });

  const retr = ["expect: '+OK'", "send: RETR 1", "expect: { status: '+OK', body: { equals-after-trace: { file: fixtures/m.eml, interpolate: true } } }"];
  /** A RETR answer: trace fields, then the message with `token` in its Message-ID (dot-stuffed on the wire). */
  const delivered = (token: string) =>
    Buffer.concat([
      Buffer.from("+OK\r\nReturn-Path: <a@lab.test>\r\nReceived: from x by y; Thu, 1 Jan 2026 00:00:00 +0000\r\n", "latin1"),
      Buffer.from(`Message-ID: <${token}.t-one@mc.example>\r\nSubject: caf\xe9 `, "latin1"),
      Buffer.from("j\u00f6rg@lab.test", "utf8"),
      Buffer.from("\r\n\r\n..dot ${x}\r\n.\r\n", "latin1"),
    ]);

  it("equals-after-trace compares with the same interpolated text", async () => {
    const test = await loadTest("pop3", retr);
    server = await startScriptedServer([send("+OK ready\r\n"), { kind: "line", answer: () => delivered("tok123") }]);
    const { result } = await A.run(test, A.target("pop3", server.port, "none", { users }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("equals-after-trace fails on the copy another run delivered, naming the line after the trace block", async () => {
    const test = await loadTest("pop3", retr);
    server = await startScriptedServer([send("+OK ready\r\n"), { kind: "line", answer: () => delivered("older1") }]);
    const { result } = await A.run(test, A.target("pop3", server.port, "none", { users }));
    expect(result.status).to.equal("failed");
    expect(result.failure?.message).to.match(/^body after 2 trace lines differs from interpolated fixture \S+m\.eml at line 3 /);
    expect(result.failure?.expected).to.equal("Message-ID: <tok123.t-one@mc.example>");
    expect(result.failure?.actual).to.equal("Message-ID: <older1.t-one@mc.example>");
  });
});

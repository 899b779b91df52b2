// IMAP `send` with `literal: { binary: true }`: the loader reads the key, the
// driver announces the octets as a literal8 (~{n}, or ~{n+} without waiting),
// NUL octets from a YAML "\x00" go out as they are, and a server's literal8
// in a FETCH response is matched like any other string.
// Standards: RFC 3516 §4.4 (APPEND with literal8), §4.5 (literal8 = "~{" number "}" CRLF *OCTET), RFC 7888.

import { expect } from "chai";
import * as A from "../../../support/ast.ts";
import { bytes, line, send, startScriptedServer, type ScriptedServer } from "../../../support/scripted-server.ts";
import { loadFiles } from "../../suite/load-files.ts";

const suite = (binary: string): string => `protocol: imap
title: t
tests:
  - id: t.one
    title: t
    refs: ["RFC 3516 §4.4"]
    level: MUST
    steps:
      - send: { line: APPEND box, literal: { text: "a\\x00b", binary: ${binary} } }
      - expect: OK
    quote: >-
      If the destination mailbox does not support the storage of binary content, the server MUST
      fail the request and issue a "NO" response that contains the "UNKNOWN-CTE" extended
      response code.
`;

describe("exec: IMAP send of a literal8 (binary: true)", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("the loader reads binary: true, keeps it absent by default, and refuses a non-boolean at the value", async () => {
    const loaded = await loadFiles({ "a.yaml": suite("true") });
    expect(loaded.lines).to.deep.equal([]);
    const step = loaded.suites[0]!.tests[0]!.steps[0]!;
    expect(step.kind === "send" && step.literal?.binary).to.equal(true);
    const plain = await loadFiles({ "a.yaml": suite("false") });
    const plainStep = plain.suites[0]!.tests[0]!.steps[0]!;
    expect(plainStep.kind === "send" && plainStep.literal?.binary).to.equal(undefined);
    const wrong = await loadFiles({ "a.yaml": suite("yes please") });
    expect(wrong.lines).to.have.length(1);
    expect(wrong.lines[0]).to.match(/^a\.yaml:9:70: 'binary' must be true/);
  });

  it("a synchronizing literal8 is announced as ~{n}, waits for the +, and carries NUL octets unchanged", async () => {
    server = await startScriptedServer([send("* OK ready\r\n"), line(() => "+ go\r\n"), bytes(6), line((l) => `A1 ${l === "" ? "OK" : "BAD"} x\r\n`)]);
    const { result } = await A.run(
      A.testCase("imap", [A.send("APPEND box", { literal: { source: { kind: "text", text: "a\x00\x01b\n" }, sync: true, binary: true, after: "" } }), A.imap("OK")]),
      A.target("imap", server.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal("A1 APPEND box ~{6}\r\na\x00\x01b\r\n\r\n");
  });

  it("a non-synchronizing literal8 is announced as ~{n+} and sent at once", async () => {
    server = await startScriptedServer([send("* OK ready\r\n"), line(), bytes(3), line((l) => `A1 ${l === "" ? "OK" : "BAD"} x\r\n`)]);
    const { result } = await A.run(
      A.testCase("imap", [A.send("APPEND box", { literal: { source: { kind: "text", text: "\x00\x00\x00" }, sync: false, binary: true, after: "" } }), A.imap("OK")]),
      A.target("imap", server.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal("A1 APPEND box ~{3+}\r\n\x00\x00\x00\r\n");
  });

  it("a literal8 in a FETCH response is one string token whose octets a capture binds", async () => {
    server = await startScriptedServer([send("* OK ready\r\n"), line(() => "* 1 FETCH (BINARY[1] ~{3}\r\nab\x01 UID 7)\r\nA1 OK done\r\n"), line((l) => `A2 ${l === "A2 NOOP ab\x01" ? "OK" : "BAD"} x\r\n`)]);
    const { result } = await A.run(
      A.testCase("imap", [A.send("FETCH 1 BINARY[1]"), A.imap("OK", { untagged: [A.must("* 1 FETCH (BINARY[1] $bin UID 7)")] }), A.send("NOOP ${bin}"), A.imap("OK")]),
      A.target("imap", server.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal("A1 FETCH 1 BINARY[1]\r\nA2 NOOP ab\x01\r\n");
  });
});

// IMAP `send` details: a tag written out (RFC 3501 §2.2.1 tag syntax tests)
// is accepted by the loader when valid, rejected at its position when not, sent
// as is and paired with its completion; literal text without a final line
// break (a password, a mailbox name) goes out without one.

import { expect } from "chai";
import * as A from "../../../support/ast.ts";
import { bytes, line, send, startScriptedServer, tagOf, type ScriptedServer } from "../../../support/scripted-server.ts";
import { loadFiles } from "../../suite/load-files.ts";

const suite = (tag: string): string => `protocol: imap
title: t
tests:
  - id: t.one
    title: t
    refs: ["RFC 3501 §2.2.1"]
    level: MUST
    steps:
      - send: { line: NOOP, tag: ${JSON.stringify(tag)} }
      - expect: OK
    quote: It is tagged with the same tag as the client command which began the operation.
`;

describe("exec: IMAP send (fixed tags, literal text)", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("the loader reads a written tag, and still auto / none", async () => {
    const loaded = await loadFiles({ "a.yaml": suite("x.1]") });
    expect(loaded.lines).to.deep.equal([]);
    const step = loaded.suites[0]!.tests[0]!.steps[0]!;
    expect(step.kind === "send" && step.tag).to.deep.equal({ fixed: "x.1]" });
    const none = await loadFiles({ "a.yaml": suite("none") });
    const plain = none.suites[0]!.tests[0]!.steps[0]!;
    expect(plain.kind === "send" && plain.tag).to.equal("none");
  });

  it("a tag with an atom-special is a load error at the value", async () => {
    const loaded = await loadFiles({ "a.yaml": suite("a+b") });
    expect(loaded.lines).to.have.length(1);
    expect(loaded.lines[0]).to.match(/^a\.yaml:9:34: tag must be auto, none or an IMAP tag .*got 'a\+b'$/);
  });

  it("the written tag goes on the wire and its completion answers the expect", async () => {
    server = await startScriptedServer([send("* OK ready\r\n"), line((l) => `${tagOf(l)} ${l === "x.1] NOOP" ? "OK" : "BAD"} done\r\n`)]);
    const { result } = await A.run(A.testCase("imap", [A.send("NOOP", { tag: { fixed: "x.1]" } }), A.imap("OK")]), A.target("imap", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result)).to.include("C: x.1] NOOP");
  });

  it("literal text without a final line break is sent without one; with one, as CRLF", async () => {
    server = await startScriptedServer([send("* OK ready\r\n"), line(() => "+ go\r\n"), bytes(8), line((l) => `A1 ${l === "" ? "OK" : "BAD"} x\r\n`), line(() => "+ go\r\n"), bytes(6), line((l) => `A2 ${l === "" ? "OK" : "BAD"} x\r\n`)]);
    const { result } = await A.run(
      A.testCase("imap", [
        A.send('LOGIN "alice"', { literal: { source: { kind: "text", text: "alice-pw" }, sync: true, after: "" } }),
        A.imap("OK"),
        A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "a\nb" + "\n" }, sync: true, after: "" } }),
        A.imap("OK"),
      ]),
      A.target("imap", server.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server.received[0]!.toString("latin1")).to.equal('A1 LOGIN "alice" {8}\r\nalice-pw\r\nA2 APPEND INBOX {6}\r\na\r\nb\r\n\r\n');
  });

  // RFC 7888 §3: "The server does not generate a command continuation request in response to a non-synchronizing literal".
  for (const [answer, status] of [["", "passed"], ["+ go\r\n", "failed"]] as const) {
    it(`a non-synchronizing literal answered ${answer === "" ? "without" : "with"} a "+" ${status === "passed" ? "passes" : "is a protocol violation"}`, async () => {
      server = await startScriptedServer([send("* OK ready\r\n"), line(() => answer), bytes(3), line((l) => `A1 ${l === "" ? "OK" : "BAD"} x\r\n`)]);
      const { result } = await A.run(
        A.testCase("imap", [A.send("APPEND INBOX", { literal: { source: { kind: "text", text: "abc" }, sync: false, after: "" } }), A.imap("OK")]),
        A.target("imap", server.port),
      );
      expect(result.status, JSON.stringify(result.failure)).to.equal(status);
      if (status === "failed") {
        expect(result.failure?.class).to.equal("protocol-violation");
        expect(result.failure?.message).to.match(/non-synchronizing literal/);
      }
    });
  }
});

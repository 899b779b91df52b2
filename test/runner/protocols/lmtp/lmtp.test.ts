// LMTP in the runner: the SMTP driver with LHLO (greeting, STARTTLS upgrade,
// probe), the per-recipient `replies` expectation read in order against a
// scripted server (passing, a wrong code named by its recipient, a missing
// reply timing out), and the loader's rules for `replies` (LMTP only, no nesting).

import { expect } from "chai";
import type { SmtpExpect, Step } from "../../../../runner/model/ast.ts";
import { probeCapabilities } from "../../../../runner/exec/capabilities.ts";
import * as A from "../../../support/ast.ts";
import { close, linesUntil, reply, send, startScriptedServer, type ScriptedServer } from "../../../support/scripted-server.ts";
import { loadFiles } from "../../suite/load-files.ts";

const GREETING = send("220 lmtp.lab.test LMTP ready\r\n");
const LHLO_REPLY = reply("250-lmtp.lab.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n");

/** An LMTP `replies` expectation built from single-code SMTP expectations. */
function replies(...codes: string[]): Step {
  const step = A.smtp("250");
  const list = codes.map((c) => (A.smtp(c) as Extract<Step, { kind: "expect" }>).expect as SmtpExpect);
  const expectation = (step as Extract<Step, { kind: "expect" }>).expect as SmtpExpect;
  expectation.code = [];
  expectation.replies = list;
  return step;
}

const TRANSACTION = [
  A.send("LHLO client.example"),
  A.smtp("250", { lines: { includes: ["PIPELINING", "ENHANCEDSTATUSCODES"], excludes: [] } }),
  A.send("MAIL FROM:<a@lab.test>"),
  A.smtp("250"),
  A.send("RCPT TO:<a@lab.test>"),
  A.smtp("250"),
  A.send("RCPT TO:<b@lab.test>"),
  A.smtp("250"),
  A.send("DATA"),
  A.smtp("354"),
  A.dataText("Subject: x\n\nbody\n"),
];
const SERVER_TO_DATA = [GREETING, LHLO_REPLY, reply("250 2.1.0 ok\r\n"), reply("250 2.1.5 ok\r\n"), reply("250 2.1.5 ok\r\n"), reply("354 go\r\n"), linesUntil(".")];

describe("exec: LMTP", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function runWith(actions: Parameters<typeof startScriptedServer>[0], steps: Step[], timeoutMs?: number) {
    server = await startScriptedServer(actions);
    return A.run(A.testCase("lmtp", steps, timeoutMs === undefined ? {} : { timeoutMs }), A.target("lmtp", server.port));
  }

  it("reads one reply per recipient after DATA, in order, and the next reply after them", async () => {
    const { result } = await runWith(
      [...SERVER_TO_DATA, send("250 2.0.0 a delivered\r\n452 4.2.2 b over quota\r\n"), reply("221 bye\r\n"), close()],
      [...TRANSACTION, replies("250", "4xx"), A.send("QUIT"), A.smtp("221")],
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(server!.received.map((b) => b.toString("latin1")).join("")).to.match(/^LHLO client\.example\r\n/);
  });

  it("names the recipient whose reply has the wrong code", async () => {
    const { result } = await runWith(
      [...SERVER_TO_DATA, send("250 2.0.0 a delivered\r\n550 5.1.1 b unknown\r\n"), close()],
      [...TRANSACTION, replies("250", "250")],
    );
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.match(/^reply 2 of 2 \(recipient 2 accepted at RCPT\): expected 250, got 550/);
  });

  it("fails when the server sends fewer replies than recipients (one reply for the whole message)", async () => {
    const { result } = await runWith([...SERVER_TO_DATA, send("250 2.0.0 queued\r\n")], [...TRANSACTION, replies("250", "250")], 300);
    expect(result.status).to.equal("failed");
    expect(result.failure?.message).to.match(/reply 2 of 2/);
  });

  it("probes with LHLO, not EHLO, and reads its keywords", async () => {
    server = await startScriptedServer([GREETING, LHLO_REPLY, reply("221 bye\r\n"), close()]);
    const probe = await probeCapabilities(A.target("lmtp", server.port), "lmtp", 1000);
    expect(probe.ok && [...probe.advertised].sort()).to.deep.equal(["ENHANCEDSTATUSCODES", "PIPELINING"]);
    expect(server.received.map((b) => b.toString("latin1")).join("")).to.match(/^LHLO \[127\.0\.0\.1\]\r\n/);
  });
});

describe("suite: LMTP replies", () => {
  const suite = (protocol: string, expectation: string) => `protocol: ${protocol}
title: t
tests:
  - id: t.one
    title: t
    refs: ["RFC 2033 §4.2"]
    level: MUST
    quote: q
    steps:
      - expect: 220
      - expect: ${expectation}
`;

  it("reads `replies` on an LMTP connection as one expectation per recipient", async () => {
    const loaded = await loadFiles({ "l.yaml": suite("lmtp", "{ replies: [250, { code: 452, enhanced: 4.2.2 }] }") });
    expect(loaded.lines).to.deep.equal([]);
    const step = loaded.suites[0]!.tests[0]!.steps[1] as Extract<Step, { kind: "expect" }>;
    const e = step.expect as SmtpExpect;
    expect(e.code).to.deep.equal([]);
    expect(e.replies?.map((r) => [r.code, r.enhanced])).to.deep.equal([[["250"], undefined], [["452"], "4.2.2"]]);
  });

  it("refuses `replies` on an SMTP connection, and a nested `replies`", async () => {
    const smtp = await loadFiles({ "s.yaml": suite("smtp", "{ replies: [250] }") });
    expect(smtp.lines.join("\n")).to.match(/'replies' reads LMTP's per-recipient replies after DATA \(RFC 2033 §4\.2\); this connection speaks SMTP/);
    const nested = await loadFiles({ "n.yaml": suite("lmtp", "{ replies: [{ replies: [250] }] }") });
    expect(nested.lines.join("\n")).to.match(/'replies' cannot nest/);
    const mixed = await loadFiles({ "m.yaml": suite("lmtp", "{ replies: [250], code: 250 }") });
    expect(mixed.lines.join("\n")).to.match(/unknown key 'code'/);
  });
});

// Loading `auth: APOP` (POP3 only, no initial response, no cancel) and the
// POP3 body matcher `octets` (a number or a template bound earlier).

import { expect } from "chai";
import { describe, it } from "mocha";
import type { AuthStep, ExpectStep, Pop3Expect } from "../../../runner/model/ast.ts";
import { loadFiles } from "./load-files.ts";

function suite(steps: string, connections = ""): string {
  // The quote follows the steps, so that their positions stay put.
  const quote = "    quote: A POP3 server which implements the APOP command will include a timestamp in its banner greeting.\n";
  return `protocol: pop3\ntitle: T\ntests:\n  - id: t.one\n    title: x\n    refs: [RFC 1939 §7]\n    level: MAY\n${connections}    steps:\n${steps}${steps.endsWith("\n") ? "" : "\n"}${quote}`;
}

describe("suite loader: APOP and octets", () => {
  it("reads auth: APOP (any case) and octets from a number or a capture", async () => {
    const { lines, suites } = await loadFiles({
      "s.yaml": suite(
        [
          "      - auth: apop",
          "      - auth: { mechanism: APOP, password: wrong, outcome: failure }",
          "      - send: LIST 1",
          "      - expect: { status: '+OK', capture: { size: '^\\d+ (\\d+)' } }",
          "      - send: RETR 1",
          "      - expect: { status: '+OK', body: { octets: '${size}' } }",
          "      - expect: { status: '+OK', body: { octets: 120 } }",
          "",
        ].join("\n"),
      ),
    });
    expect(lines).to.deep.equal([]);
    const steps = suites[0]!.tests[0]!.steps;
    expect((steps[0] as AuthStep).mechanism).to.equal("APOP");
    expect((steps[1] as AuthStep).outcome).to.equal("failure");
    expect(((steps[5] as ExpectStep).expect as Pop3Expect).body?.octets?.text).to.equal("${size}");
    expect(((steps[6] as ExpectStep).expect as Pop3Expect).body?.octets?.text).to.equal("120");
  });

  it("refuses APOP on an SMTP connection, with an initial response or cancel, and octets from an unbound name", async () => {
    const { lines } = await loadFiles({
      "s.yaml": suite(
        [
          "      - { on: mta, auth: APOP }",
          "      - auth: { mechanism: APOP, initial-response: true }",
          "      - auth: { mechanism: APOP, outcome: cancel }",
          "      - expect: { status: '+OK', body: { octets: '${nope}' } }",
          "",
        ].join("\n"),
        "    connections: { mta: { protocol: smtp } }\n",
      ),
    });
    expect(lines).to.have.length(4);
    expect(lines[0]).to.match(/^s\.yaml:10:26: APOP is a POP3 command \(RFC 1939 §7\); connection 'mta' speaks smtp$/);
    expect(lines[1]).to.match(/^s\.yaml:11:52: APOP is a single command with no challenge/);
    expect(lines[2]).to.match(/^s\.yaml:12:43: APOP is a single command with no challenge/);
    expect(lines[3]).to.match(/^s\.yaml:13:51: unknown variable .nope/);
  });
});

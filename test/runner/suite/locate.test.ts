// The loader's reading of a POP3 `locate` step: the AST it produces, the
// variable it binds for the steps after it (not before), and every mistake
// reported once at its file:line:col.

import { expect } from "chai";
import { describe, it } from "mocha";
import type { LocateStep } from "../../../runner/model/ast.ts";
import { loadFiles, written } from "./load-files.ts";

/** A POP3 test on the main connection whose steps start on line 9 (keys at column 9), or an SMTP test with a POP3 connection `box`. */
function suite(steps: string, protocol = "pop3"): string {
  const connections = protocol === "smtp" ? "    connections:\n      box: { protocol: pop3 }\n" : "";
  // The quote follows the steps, so that their positions stay put.
  const quote =
    "    quote: The unique-id of a message is an arbitrary server-determined string, consisting of one to 70 characters in the range 0x21 to 0x7E, which uniquely identifies a message within a maildrop and which persists across sessions.\n";
  return `protocol: ${protocol}\ntitle: T\ntests:\n  - id: t.one\n    title: x\n    refs: [RFC 1939 §7]\n    level: MUST\n${connections}    steps:\n${steps}${steps.endsWith("\n") ? "" : "\n"}${quote}`;
}

describe("suite loader: locate", () => {
  it("reads header and capture, and binds the capture for the steps after it", async () => {
    const text = suite(["      - locate: { header: '^Subject: mc ${test.id} ${run.token}$', capture: n }", "      - send: RETR ${n}", ""].join("\n"));
    const { suites, errors } = await loadFiles({ "s.yaml": text });
    expect(errors).to.deep.equal([]);
    const [step, retr] = suites[0]!.tests[0]!.steps;
    expect(written(step)).to.deep.include({ kind: "locate", on: "main", header: "^Subject: mc ${test.id} ${run.token}$", capture: "n" });
    expect((step as LocateStep).span).to.include({ line: 9, col: 9 });
    expect(written(retr)).to.deep.include({ kind: "send", line: "RETR ${n}" });
  });

  it("runs on a POP3 connection of an SMTP test", async () => {
    const { errors, suites } = await loadFiles({ "s.yaml": suite("      - { on: box, locate: { header: '^Subject: x$', capture: n } }\n      - { on: box, send: 'DELE ${n}' }\n", "smtp") });
    expect(errors).to.deep.equal([]);
    expect(suites[0]!.tests[0]!.steps[0]).to.include({ kind: "locate", on: "box" });
  });

  const errors: [string, string, string[], string?][] = [
    ["on an SMTP connection", "      - locate: { header: '^Subject: x$', capture: n }\n", ["s.yaml:9:9: 'locate' finds a message in a POP3 maildrop; this step runs on SMTP"], "smtp"],
    ["on an IMAP connection", "      - locate: { header: '^Subject: x$', capture: n }\n", ["s.yaml:9:9: 'locate' finds a message in a POP3 maildrop; this step runs on IMAP; IMAP finds a message with SEARCH HEADER"], "imap"],
    ["a string instead of a map", "      - locate: '^Subject: x$'\n", ["s.yaml:9:17: 'locate' is a map: { header: REGEX, capture: NAME }, NAME the variable the message's number is bound to"]],
    ["an unknown key", "      - locate: { header: '^Subject: x$', capture: n, max: 5 }\n", ["s.yaml:9:55: unknown key 'max' in 'locate'"]],
    ["a misspelt key", "      - locate: { headr: '^Subject: x$', capture: n }\n", ["s.yaml:9:19: unknown key 'headr' in 'locate' (did you mean 'header'?)"]],
    ["no capture", "      - locate: { header: '^Subject: x$' }\n", ["s.yaml:9:17: 'locate' is missing required key 'capture'"]],
    ["an invalid regex", "      - locate: { header: '^Subject: (x', capture: n }\n", ["s.yaml:9:27: 'header' is not a valid regular expression: /^Subject: (x/: Unterminated group"]],
    ["an empty pattern", "      - locate: { header: '', capture: n }\n", ["s.yaml:9:27: 'header' must not be empty: it would match any message"]],
    ["an unknown variable", "      - locate: { header: '^Subject: ${tokn}$', capture: n }\n", ["s.yaml:9:38: unknown variable 'tokn': not a builtin and not captured earlier in this test"]],
    ["the capture used in its own pattern", "      - locate: { header: '^Subject: ${n}$', capture: n }\n", ["s.yaml:9:38: unknown variable 'n': not a builtin and not captured earlier in this test"]],
    ["a reserved capture name", "      - locate: { header: '^Subject: x$', capture: user }\n", ["s.yaml:9:52: capture name 'user' is reserved for the builtin variables user.*"]],
    ["an invalid capture name", "      - locate: { header: '^Subject: x$', capture: 1n }\n", ["s.yaml:9:52: '1n' is not a valid capture name: letters, digits and '_', not starting with a digit"]],
    ["with another action", "      - locate: { header: '^Subject: x$', capture: n }\n        send: LIST\n", ["s.yaml:10:9: one action per step: 'locate' and 'send' are both here; split them into two steps"]],
  ];
  for (const [what, steps, expected, protocol] of errors) {
    it(`reports ${what} at its position`, async () => {
      const { lines, suites } = await loadFiles({ "s.yaml": suite(steps, protocol ?? "pop3").replace("    connections:\n      box: { protocol: pop3 }\n", "") });
      expect(lines).to.deep.equal(expected);
      expect(suites).to.deep.equal([]);
    });
  }
});

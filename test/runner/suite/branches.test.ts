// The loader's either/or steps: `expect: { one-of: [...] }` with an
// expectation per alternative and optional `then` steps, and `if: { same,
// then, else }`. What each reads into the AST, that a branch's captures stay
// inside it, and every mistake reported at its file:line:col.

import { expect } from "chai";
import { describe, it } from "mocha";
import type { IfStep, OneOfStep } from "../../../runner/model/ast.ts";
import { loadFiles, written } from "./load-files.ts";

/** A test whose steps start on line 9 (keys at column 9). */
function suite(steps: string, protocol = "smtp"): string {
  const quote = "    quote: If the EHLO command is not acceptable to the SMTP server, 501, 500, 502, or 550 failure replies MUST be returned as appropriate.\n";
  return `protocol: ${protocol}\ntitle: T\ntests:\n  - id: t.one\n    title: x\n    refs: [RFC 5321 §4.1.4]\n    level: MUST\n    steps:\n${steps}${steps.endsWith("\n") ? "" : "\n"}${quote}`;
}

describe("suite loader: one-of and if", () => {
  it("reads each alternative's expectation and its then steps", async () => {
    const text = suite(
      [
        "      - send: EHLO client.example",
        "      - expect:",
        "          one-of:",
        "            - code: 250",
        "              capture: { server: '^(\\S+)' }",
        "              then:",
        "                - send: RCPT TO:<a@${server}>",
        "                - expect: 503",
        "            - [500, 501, 502, 550]",
        "      - send: QUIT",
      ].join("\n"),
    );
    const { suites, errors } = await loadFiles({ "s.yaml": text });
    expect(errors).to.deep.equal([]);
    const step = suites[0]!.tests[0]!.steps[1] as OneOfStep;
    expect(step.kind).to.equal("one-of");
    expect(step.span).to.include({ line: 10, col: 9 });
    expect(step.branches.map((b) => (b.expect.protocol === "smtp" ? b.expect.code : []))).to.deep.equal([["250"], ["500", "501", "502", "550"]]);
    expect(written(step.branches[0]!.then)).to.deep.equal([
      { kind: "send", line: "RCPT TO:<a@${server}>", on: "main", span: step.branches[0]!.then[0]!.span },
      written(step.branches[0]!.then[1]),
    ]);
    expect(step.branches[1]!.then).to.deep.equal([]);
  });

  it("reads POP3 and IMAP alternatives in their own forms", async () => {
    const pop3 = await loadFiles({ "s.yaml": suite("      - expect: { one-of: ['+OK', { status: '-ERR', then: [ { send: QUIT } ] }] }\n", "pop3") });
    expect(pop3.errors).to.deep.equal([]);
    const imap = await loadFiles({ "s.yaml": suite("      - send: NOOP\n      - expect: { one-of: [OK, { status: [NO, BAD], code: CANNOT }] }\n", "imap") });
    expect(imap.errors).to.deep.equal([]);
    expect((imap.suites[0]!.tests[0]!.steps[1] as OneOfStep).branches[1]!.expect).to.deep.include({ status: ["NO", "BAD"] });
  });

  it("reads if with then and else, each its own scope", async () => {
    const text = suite(
      [
        "      - send: NOOP",
        "      - expect: { status: OK, capture: { a: '(\\w+)' } }",
        "      - if:",
        "          same: ['${a}', 'x']",
        "          then: [ { send: 'NOOP ${a}' } ]",
        "          else: [ { send: NOOP }, { expect: OK } ]",
      ].join("\n"),
      "imap",
    );
    const { suites, errors } = await loadFiles({ "s.yaml": text });
    expect(errors).to.deep.equal([]);
    const step = suites[0]!.tests[0]!.steps[2] as IfStep;
    expect(written(step.same)).to.deep.equal(["${a}", "x"]);
    expect(step.then).to.have.length(1);
    expect(step.else).to.have.length(2);
  });

  it("keeps a branch's captures inside it", async () => {
    const text = suite(
      [
        "      - expect:",
        "          one-of:",
        "            - { code: 220, capture: { server: '^(\\S+)' }, then: [ { send: 'EHLO ${server}' } ] }",
        "            - 554",
        "      - send: HELO ${server}",
      ].join("\n"),
    );
    const { lines } = await loadFiles({ "s.yaml": text });
    expect(lines).to.deep.equal(["s.yaml:13:20: unknown variable 'server': not a builtin and not captured earlier in this test"]);
  });

  const errors: [string, string, string[], string?][] = [
    ["one alternative only", "      - expect: { one-of: [250] }\n", ["s.yaml:9:27: 'one-of' needs two or more alternatives; with one, write that expectation itself"]],
    ["a key beside one-of", "      - expect: { one-of: [250, 550], text: x }\n", ["s.yaml:9:39: 'one-of' stands alone in its 'expect'; 'text' belongs inside one of its alternatives"]],
    ["a misspelt key in an alternative", "      - expect: { one-of: [{ cod: 250 }, 550] }\n", ["s.yaml:9:30: unknown key 'cod' in an SMTP expectation (did you mean 'code'?)"]],
    ["a wrong code in an alternative", "      - expect: { one-of: [250, 650] }\n", ["s.yaml:9:33: item 2 of 'one-of' must be a reply code like 250, a class like 2xx or 25x, or a list of them, got '650'"]],
    ["empty then", "      - expect: { one-of: [{ code: 250, then: [] }, 550] }\n", ["s.yaml:9:47: 'then' must not be an empty list"]],
    ["a bad step in then", "      - expect: { one-of: [{ code: 250, then: [ { sned: NOOP } ] }, 550] }\n", ["s.yaml:9:51: unknown key 'sned' in a step (did you mean 'send'?)"]],
    ["replies inside an alternative", "      - expect: { one-of: [{ replies: [250] }, 550] }\n", ["s.yaml:9:28: an alternative of 'one-of' is one reply's expectation: 'replies' cannot go inside it"]],
    ["an IMAP alternative without status", "      - expect: { one-of: [OK, { untagged: ['* 1 EXISTS'] }] }\n", ["s.yaml:9:32: an IMAP alternative of 'one-of' needs a 'status' of OK, NO, BAD or + (the answer to the pending command)"], "imap"],
    ["an IMAP BYE alternative", "      - expect: { one-of: [OK, BYE] }\n", ["s.yaml:9:32: an IMAP alternative of 'one-of' needs a 'status' of OK, NO, BAD or + (the answer to the pending command)"], "imap"],
    ["POP3 +OK alternatives that disagree on multiline", "      - expect: { one-of: ['+OK', { status: '+OK', multiline: true }] }\n", ["s.yaml:9:35: the +OK alternatives of 'one-of' disagree on 'multiline': the command decides whether +OK carries a body (RFC 1939 §3)"], "pop3"],
    ["if without then or else", "      - if: { same: [a, b] }\n", ["s.yaml:9:13: 'if' needs 'then' (steps run when the values are the same), 'else' (when they differ), or both"]],
    ["if with one value", "      - if: { same: [a], then: [ { send: NOOP } ] }\n", ["s.yaml:9:21: 'same' is a list of two values to compare, like [\"${uidvalidity1}\", \"${uidvalidity2}\"]"]],
    ["if with an unknown variable", "      - if: { same: ['${nope}', b], then: [ { send: NOOP } ] }\n", ["s.yaml:9:23: unknown variable 'nope': not a builtin and not captured earlier in this test"]],
    ["if with an unknown key", "      - if: { same: [a, b], than: [ { send: NOOP } ] }\n", ["s.yaml:9:29: unknown key 'than' in 'if' (did you mean 'then'?)"]],
  ];
  for (const [what, steps, expected, protocol] of errors) {
    it(`reports ${what} at its position`, async () => {
      const { lines, suites } = await loadFiles({ "s.yaml": suite(steps, protocol ?? "smtp") });
      expect(lines).to.deep.equal(expected);
      expect(suites).to.deep.equal([]);
    });
  }
});

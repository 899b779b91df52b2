// The loader's reading of `interpolate: true` on a fixture (`data: { file }`,
// POP3 `equals` / `equals-after-trace`): the fixture compiled as a template
// over its octets, every mistake inside it reported at the fixture's own
// file:line:col, and the key refused where it means nothing.

import { expect } from "chai";
import { describe, it } from "mocha";
import type { ContentSource, DataStep, ExpectStep } from "../../../../runner/model/ast.ts";
import { loadFiles, written } from "../load-files.ts";

/** An SMTP test whose steps start on line 10, with a POP3 connection `box`. */
function suite(steps: string, protocol = "smtp"): string {
  const connections = protocol === "smtp" ? "    connections:\n      box: { protocol: pop3 }\n" : "";
  return `protocol: ${protocol}\ntitle: T\ntests:\n  - id: t.one\n    title: x\n    refs: [RFC 5321 §4.5.2]\n    level: MUST\n    quote: x\n    steps:\n${steps}${connections}`;
}

const latin1 = (text: string): Buffer => Buffer.from(text, "latin1");

describe("suite loader: interpolated fixtures", () => {
  it("compiles an interpolated fixture over its octets: 8-bit text kept, $${ a literal ${", async () => {
    const fixture = latin1("Message-ID: <${run.token}.${test.slug}@mc.example>\nSubject: caf\xe9 $${x}\n\nbody\n");
    const { errors, suites } = await loadFiles({ "s.yaml": suite("      - data: { file: fixtures/m.eml, interpolate: true }\n"), "fixtures/m.eml": fixture as unknown as string });
    expect(errors).to.deep.equal([]);
    const source = (suites[0]!.tests[0]!.steps[0] as DataStep).source as Extract<ContentSource, { kind: "file" }>;
    expect(source.path.endsWith("fixtures/m.eml")).to.equal(true);
    const parts = source.interpolated!.parts;
    expect(parts.filter((p) => typeof p !== "string").map((p) => (p as { ref: string }).ref)).to.deep.equal(["run.token", "test.slug"]);
    expect(parts.at(-1)).to.equal("@mc.example>\nSubject: caf\xe9 ${x}\n\nbody\n");
  });

  it("leaves a fixture without 'interpolate' as it is on disk: its ${ is not read", async () => {
    const { errors, suites } = await loadFiles({ "s.yaml": suite("      - data: { file: fixtures/m.eml }\n"), "fixtures/m.eml": "Subject: ${nope}\n\nbody\n" });
    expect(errors).to.deep.equal([]);
    expect((suites[0]!.tests[0]!.steps[0] as DataStep).source).to.not.have.property("interpolated");
  });

  it("takes interpolated fixtures in POP3 equals and equals-after-trace, with captures bound before", async () => {
    const steps = [
      "      - { on: box, send: STAT }",
      "      - { on: box, expect: { status: '+OK', capture: { n: '^(\\d+) ' } } }",
      "      - { on: box, expect: { status: '+OK', body: { equals: { file: m.eml, interpolate: true }, equals-after-trace: { file: m.eml, interpolate: true } } } }",
      "",
    ].join("\n");
    const { errors, suites } = await loadFiles({ "s.yaml": suite(steps), "m.eml": "Subject: ${n} ${user2.login}\n\nbody\n" });
    expect(errors).to.deep.equal([]);
    const test = suites[0]!.tests[0]!;
    const body = (test.steps[2] as ExpectStep).expect as { body: { equals: ContentSource; equalsAfterTrace: ContentSource } };
    expect(written(body.body.equals)).to.deep.include({ interpolated: "Subject: ${n} ${user2.login}\n\nbody\n" });
    expect(written(body.body.equalsAfterTrace)).to.deep.include({ interpolated: "Subject: ${n} ${user2.login}\n\nbody\n" });
    // ${user2.*} in a fixture counts like anywhere else: the test needs the target's second user.
    expect(test.usersNeeded).to.equal(2);
  });

  const errors: [string, string, Record<string, string | Buffer>, string[]][] = [
    [
      "an unknown variable in the fixture, at the fixture's line and column (with a did-you-mean)",
      "      - data: { file: fixtures/m.eml, interpolate: true }\n",
      { "fixtures/m.eml": "From: <a@mc.example>\nMessage-ID: <${run.tokn}@mc.example>\n\nbody\n" },
      ["fixtures/m.eml:2:14: in the interpolated fixture: unknown variable 'run.tokn': not a builtin and not captured earlier in this test (did you mean 'run.token'?)"],
    ],
    [
      "an unclosed ${ in the fixture",
      "      - data: { file: fixtures/m.eml, interpolate: true }\n",
      { "fixtures/m.eml": "Subject: x\n\ncost ${5\n" },
      ["fixtures/m.eml:3:6: in the interpolated fixture: '${' is not closed by '}' (write '$${' for a literal '${')"],
    ],
    [
      "a column counted in characters after UTF-8 text",
      "      - data: { file: fixtures/m.eml, interpolate: true }\n",
      { "fixtures/m.eml": "Subject: h\u00e9\u00e9 ${nope}\n\nbody\n" },
      ["fixtures/m.eml:1:14: in the interpolated fixture: unknown variable 'nope': not a builtin and not captured earlier in this test"],
    ],
    [
      "a capture bound only after the step",
      "      - data: { file: m.eml, interpolate: true }\n      - expect: { code: 250, capture: { id: '(\\S+)$' } }\n",
      { "m.eml": "X: ${id}\n\nbody\n" },
      ["m.eml:1:4: in the interpolated fixture: unknown variable 'id': not a builtin and not captured earlier in this test"],
    ],
    [
      "'interpolate' with inline text",
      "      - data: { text: 'Subject: x', interpolate: true }\n",
      {},
      ["s.yaml:10:37: 'interpolate' applies to 'file': inline 'text' is always a template"],
    ],
    ["'interpolate' that is not a boolean", "      - data: { file: m.eml, interpolate: yes }\n", { "m.eml": "x\n" }, ["s.yaml:10:43: 'interpolate' must be true or false, got the string 'yes'"]],
    [
      "'interpolate' on an IMAP literal, which sends fixtures as they are",
      "      - send: { line: 'APPEND x', literal: { file: m.eml, interpolate: true } }\n",
      { "m.eml": "x\n" },
      ["s.yaml:10:59: unknown key 'interpolate' in 'literal'"],
    ],
    [
      "a missing interpolated fixture, once",
      "      - data: { file: fixtures/none.eml, interpolate: true }\n",
      {},
      ["s.yaml:10:23: fixture 'fixtures/none.eml' not found: fixture paths are relative to the suite file (<dir>/fixtures/none.eml)"],
    ],
  ];
  for (const [what, steps, fixtures, expected] of errors) {
    it(`reports ${what}`, async () => {
      const protocol = steps.includes("APPEND") ? "imap" : "smtp";
      const { lines, suites, dir } = await loadFiles({ "s.yaml": suite(steps, protocol), ...(fixtures as Record<string, string>) });
      expect(lines.map((l) => l.replace(dir, "<dir>"))).to.deep.equal(expected);
      expect(suites).to.deep.equal([]);
    });
  }
});

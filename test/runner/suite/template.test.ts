// Template strings: compiled once (${name} references, $${ escapes, syntax
// errors with offsets), resolved by walking the parts (unknown variables by
// name, regex escaping), and did-you-mean distances.

import { expect } from "chai";
import { describe, it } from "mocha";
import { didYouMean, editDistance } from "../../../runner/suite/did-you-mean.ts";
import { escapeRegExp, interpolate as resolve, UnknownVariableError } from "../../../runner/session/variables.ts";
import { compileTemplate, templateVariables, TemplateSyntaxError } from "../../../runner/suite/template.ts";

const interpolate = (text: string, vars: ReadonlyMap<string, string>, encode?: (value: string) => string): string =>
  resolve(compileTemplate(text), (name) => vars.get(name), encode);

const VARS = new Map([
  ["user.login", "alice"],
  ["domain", "lab.test"],
  ["uv", "3857529045"],
]);

describe("interpolate", () => {
  const cases: [string, string][] = [
    ["LOGIN ${user.login}", "LOGIN alice"],
    ["<${user.login}@${domain}>", "<alice@lab.test>"],
    ["no refs", "no refs"],
    ["price $5 and $${literal}", "price $5 and ${literal}"],
    ["$$${uv}", "$${uv}"],
    ["", ""],
  ];
  for (const [template, expected] of cases) {
    it(`${JSON.stringify(template)} -> ${JSON.stringify(expected)}`, () => {
      expect(interpolate(template, VARS)).to.equal(expected);
    });
  }

  it("throws UnknownVariableError with the name", () => {
    expect(() => interpolate("x ${user.passwrd}", VARS)).to.throw(UnknownVariableError).with.property("variable", "user.passwrd");
  });

  it("throws TemplateSyntaxError with the offset of '${'", () => {
    expect(() => interpolate("ab ${unclosed", VARS)).to.throw(TemplateSyntaxError).with.property("offset", 3);
    expect(() => compileTemplate("${a b}")).to.throw(TemplateSyntaxError).with.property("offset", 0);
    expect(() => compileTemplate("${}")).to.throw(TemplateSyntaxError);
    expect(() => compileTemplate("${1abc}")).to.throw(TemplateSyntaxError);
  });

  it("lists the distinct variables in order of first use", () => {
    expect(templateVariables(compileTemplate("${b} ${a.x} ${b} $${c}"))).to.deep.equal(["b", "a.x"]);
  });

  it("keeps literal parts and references with their offsets, written text as is", () => {
    expect(compileTemplate("A $${x} ${user.login}!")).to.deep.equal({ text: "A $${x} ${user.login}!", parts: ["A ${x} ", { ref: "user.login", offset: 8 }, "!"] });
    expect(compileTemplate("NOOP")).to.deep.equal({ text: "NOOP", parts: ["NOOP"] });
    expect(compileTemplate("")).to.deep.equal({ text: "", parts: [] });
  });

  it("encodes inserted values for regex fields", () => {
    const vars = new Map([["subject", "a.b (1)"]]);
    const source = interpolate("^Subject: ${subject}$", vars, escapeRegExp);
    expect(new RegExp(source).test("Subject: a.b (1)")).to.equal(true);
    expect(new RegExp(source).test("Subject: axb (1)")).to.equal(false);
  });
});

describe("did you mean", () => {
  const cases: [string, string[], string | undefined][] = [
    ["expct", ["send", "expect", "raw"], "expect"],
    ["titel", ["title", "tests"], "title"],
    ["must", ["MUST", "SHOULD", "MAY"], "MUST"],
    ["+ok", ["+OK", "-ERR"], "+OK"],
    ["bogus", ["send", "expect"], undefined],
    ["i", ["n"], undefined],
    ["no", ["on"], "on"],
  ];
  for (const [word, candidates, expected] of cases) {
    it(`${word} -> ${expected ?? "nothing"}`, () => expect(didYouMean(word, candidates)).to.equal(expected));
  }
  it("counts a swap of neighbours as one edit", () => expect(editDistance("teh", "the")).to.equal(1));
});

// Template strings: ${name} references, $${ escapes, syntax errors with
// offsets, unknown variables by name, and did-you-mean distances.

import { expect } from "chai";
import { describe, it } from "mocha";
import { didYouMean, editDistance } from "../../../runner/suite/did-you-mean.ts";
import { escapeRegExp, interpolate, templateVariables, TemplateSyntaxError, UnknownVariableError } from "../../../runner/suite/interpolate.ts";

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
    expect(() => templateVariables("${a b}")).to.throw(TemplateSyntaxError).with.property("offset", 0);
    expect(() => templateVariables("${}")).to.throw(TemplateSyntaxError);
    expect(() => templateVariables("${1abc}")).to.throw(TemplateSyntaxError);
  });

  it("lists the distinct variables in order of first use", () => {
    expect(templateVariables("${b} ${a.x} ${b} $${c}")).to.deep.equal(["b", "a.x"]);
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

// The JSON Schemas editors use (via the modeline) agree with the loader: they
// compile under ajv's strict mode, accept the sample suites and a target in
// the shape, reject typical mistakes, and list exactly the keys of
// runner/suite/vocabulary.ts.

import { expect } from "chai";
import { describe, it } from "mocha";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse } from "yaml";
import type { KeySet } from "../../../runner/suite/node-reader.ts";
import * as vocabulary from "../../../runner/suite/vocabulary.ts";

const suiteSchema = JSON.parse(readFileSync("runner/schema/suite.schema.json", "utf8"));
const targetSchema = JSON.parse(readFileSync("runner/schema/target.schema.json", "utf8"));
// strictRequired off: "one action per step" is written as oneOf of required keys.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
const validateSuite = ajv.compile(suiteSchema);
const validateTarget = ajv.compile(targetSchema);

const keysOf = (keys: KeySet) => [...keys.required, ...keys.optional].sort();
const propsOf = (schema: { properties: object }) => Object.keys(schema.properties).sort();
const objectBranch = (def: { anyOf: { type?: string; properties?: object }[] }) => def.anyOf.find((b) => b.type === "object") as { properties: object };

describe("suite schema", () => {
  // Every shipped suite file, so the schema cannot drift from what the suites use.
  const shipped = readdirSync("suites", { recursive: true, encoding: "utf8" })
    .filter((f) => /\.ya?ml$/.test(f) && !f.split(path.sep).includes("fixtures"))
    .sort();
  it("finds the shipped suites", () => {
    for (const protocol of ["smtp", "pop3", "imap"]) expect(shipped.some((f) => f.startsWith(`${protocol}${path.sep}`)), protocol).to.equal(true);
  });
  for (const file of shipped) {
    it(`accepts suites/${file} and its modeline points at the schema`, () => {
      const text = readFileSync(path.join("suites", file), "utf8");
      const schema = path.relative(path.dirname(path.join("suites", file)), path.join("runner", "schema", "suite.schema.json"));
      expect(text.split("\n")[0]).to.equal(`# yaml-language-server: $schema=${schema.split(path.sep).join("/")}`);
      expect(validateSuite(parse(text)), JSON.stringify(validateSuite.errors)).to.equal(true);
    });
  }

  // Each is complete but for its one mistake (quote: q stands for a sentence).
  const bad: [string, string][] = [
    ["misspelt step key", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: q, steps: [ { expct: 250 } ] } ]"],
    ["two actions", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: q, steps: [ { send: X, expect: 250 } ] } ]"],
    ["bad level", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: must, quote: q, steps: [ { expect: 250 } ] } ]"],
    ["bad code", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: q, steps: [ { expect: 2000 } ] } ]"],
    ["untagged without star", "protocol: imap\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: q, steps: [ { expect: { untagged: ['1 EXISTS'] } } ] } ]"],
    ["empty refs", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [], level: MUST, quote: q, steps: [ { expect: 250 } ] } ]"],
    ["blank quote", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: '  ', steps: [ { expect: 250 } ] } ]"],
    ["empty quote list", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: [], steps: [ { expect: 250 } ] } ]"],
    ["no quote", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, steps: [ { expect: 250 } ] } ]"],
    ["number as quote", "protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: 5, steps: [ { expect: 250 } ] } ]"],
  ];
  for (const [what, text] of bad) {
    it(`rejects: ${what}`, () => expect(validateSuite(parse(text))).to.equal(false));
  }

  it("accepts a quote as one sentence or a list of them", () => {
    for (const quote of ["'The server MUST answer.'", "['One.', 'Two.']"]) {
      const text = `protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: ${quote}, steps: [ { expect: 250 } ] } ]`;
      expect(validateSuite(parse(text)), JSON.stringify(validateSuite.errors)).to.equal(true);
    }
  });

  it("lists exactly the loader's keys", () => {
    const d = suiteSchema.$defs;
    expect(propsOf(suiteSchema)).to.deep.equal(keysOf(vocabulary.SUITE_KEYS));
    expect(propsOf(d.test)).to.deep.equal(keysOf(vocabulary.TEST_KEYS));
    expect(propsOf(d.connection)).to.deep.equal(keysOf(vocabulary.CONNECTION_KEYS));
    expect(propsOf(d.step)).to.deep.equal(keysOf(vocabulary.STEP_KEYS));
    expect(propsOf(objectBranch(d.send))).to.deep.equal(keysOf(vocabulary.SEND_KEYS));
    expect(propsOf(d.literal)).to.deep.equal(keysOf(vocabulary.LITERAL_KEYS));
    expect(propsOf(d.content)).to.deep.equal(keysOf(vocabulary.CONTENT_KEYS));
    expect(propsOf(objectBranch(d.data))).to.deep.equal(keysOf(vocabulary.DATA_KEYS));
    expect(propsOf(objectBranch(d.auth))).to.deep.equal(keysOf(vocabulary.AUTH_KEYS));
    expect(propsOf(objectBranch(d.connect))).to.deep.equal(keysOf(vocabulary.CONNECT_KEYS));
    expect(propsOf(d.repeat)).to.deep.equal(keysOf(vocabulary.REPEAT_KEYS));
    expect(propsOf(d.retry)).to.deep.equal(keysOf(vocabulary.RETRY_KEYS));
    expect(propsOf(d.locate)).to.deep.equal(keysOf(vocabulary.LOCATE_KEYS));
    expect(propsOf(objectBranch(d.starttls))).to.deep.equal(keysOf(vocabulary.STARTTLS_KEYS));
    expect(propsOf(objectBranch(d.smtpExpect))).to.deep.equal(keysOf(vocabulary.SMTP_EXPECT_KEYS));
    expect(propsOf(d.lineSet)).to.deep.equal(keysOf(vocabulary.LINE_SET_KEYS));
    expect(propsOf(objectBranch(d.pop3Expect))).to.deep.equal(keysOf(vocabulary.POP3_EXPECT_KEYS));
    expect(propsOf(d.pop3Body)).to.deep.equal(keysOf(vocabulary.POP3_BODY_KEYS));
    expect(propsOf(objectBranch(d.imapExpect))).to.deep.equal(keysOf(vocabulary.IMAP_EXPECT_KEYS));
    const rule = objectBranch(d.imapExpect.anyOf[1].properties.untagged.items);
    expect(propsOf(rule)).to.deep.equal(keysOf(vocabulary.UNTAGGED_RULE_KEYS));
    expect(d.step.oneOf.map((b: { required: string[] }) => b.required[0])).to.deep.equal([...vocabulary.STEP_ACTIONS]);
    expect(propsOf(d.if)).to.deep.equal(keysOf(vocabulary.IF_KEYS));
    expect(propsOf(d.oneOf)).to.deep.equal(keysOf(vocabulary.ONE_OF_KEYS));
    // A one-of alternative: an expectation's keys and `then`.
    const branches = d.replyBranch.anyOf.filter((b: { type?: string }) => b.type === "object").map(propsOf);
    const withThen = (keys: KeySet) => [...keys.required, ...keys.optional, vocabulary.BRANCH_THEN_KEY].sort();
    expect(branches).to.deep.equal([withThen(vocabulary.SMTP_EXPECT_KEYS), withThen(vocabulary.POP3_EXPECT_KEYS), withThen(vocabulary.IMAP_EXPECT_KEYS)]);
  });

  it("accepts one-of and if, and rejects their typical mistakes", () => {
    const suite = (steps: string) => parse(`protocol: smtp\ntitle: t\ntests: [ { id: a, title: t, refs: [r], level: MUST, quote: q, steps: ${steps} } ]`);
    const good = "[ { expect: { one-of: [ { code: 250, then: [ { send: RSET } ] }, [500, 502] ] } }, { if: { same: [a, b], else: [ { send: NOOP } ] } } ]";
    expect(validateSuite(suite(good)), JSON.stringify(validateSuite.errors)).to.equal(true);
    expect(validateSuite(suite("[ { expect: { one-of: [250] } } ]"))).to.equal(false);
    expect(validateSuite(suite("[ { expect: { one-of: [ { code: 250, than: [] }, 550 ] } } ]"))).to.equal(false);
    expect(validateSuite(suite("[ { if: { same: [a, b] } } ]"))).to.equal(false);
    expect(validateSuite(suite("[ { if: { same: [a], then: [ { send: NOOP } ] } } ]"))).to.equal(false);
  });
});

describe("target schema", () => {
  it("accepts the issue's target and a grading file", () => {
    const one = parse("name: lab\nhost: 127.0.0.1\ndomain: lab.test\nsmtp: { port: 11025 }\nimap: { port: 11143, tls: none }\ninsecure: false\nusers:\n  - { login: alice, password: alice-pw, address: alice@lab.test }\n");
    expect(validateTarget(one), JSON.stringify(validateTarget.errors)).to.equal(true);
    const many = parse("defaults: { host: h, domain: d }\ntargets:\n  - { name: a, smtp: 25 }\n");
    expect(validateTarget(many), JSON.stringify(validateTarget.errors)).to.equal(true);
    expect(validateTarget(parse("host: h\ndomian: d\nsmtp: 25\n"))).to.equal(false);
  });

  it("lists exactly the loader's keys", () => {
    const d = targetSchema.$defs;
    expect(propsOf(d.target)).to.deep.equal(keysOf(vocabulary.TARGET_KEYS));
    expect(propsOf(objectBranch(d.endpoint))).to.deep.equal(keysOf(vocabulary.ENDPOINT_KEYS));
    expect(propsOf(objectBranch(d.imapEndpoint))).to.deep.equal(keysOf(vocabulary.IMAP_ENDPOINT_KEYS));
    expect(propsOf(objectBranch(d.smtpEndpoint))).to.deep.equal(keysOf(vocabulary.SMTP_ENDPOINT_KEYS));
    expect(propsOf(d.user)).to.deep.equal(keysOf(vocabulary.USER_KEYS));
    expect(Object.keys(targetSchema.anyOf[1].properties).sort()).to.deep.equal(keysOf(vocabulary.TARGETS_FILE_KEYS));
  });
});

describe("golden inputs are real suites", () => {
  it("every golden .yaml has its .err", () => {
    const names = readdirSync("test/runner/suite/golden");
    for (const y of names.filter((n) => n.endsWith(".yaml"))) expect(names).to.include(y.replace(/\.yaml$/, ".err"));
  });
});

// The IMAP forms of a variable: `${user.login.astring}` is the atom when it
// can be and a quoted string otherwise, `${user.password.quoted}` always the
// quoted string, and a value only a literal can carry stops the test with a
// message naming the step; the loader knows the forms for user.* and user2.*.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { astring, quotedString } from "../../../wire/imap-syntax.ts";
import { compileTemplate } from "../../../runner/suite/template.ts";
import { buildVariables, Variables } from "../../../runner/session/variables.ts";
import { BUILTIN_VARIABLES } from "../../../runner/suite/test-context.ts";
import { loadFiles } from "../suite/load-files.ts";

describe("exec: IMAP forms of a value (astring, quoted)", () => {
  // [value, astring, quoted]; undefined = only a literal carries it.
  const table: [string, string | undefined, string | undefined][] = [
    ["alice", "alice", '"alice"'],
    ["alice-pw", "alice-pw", '"alice-pw"'],
    ["alice@example.test", "alice@example.test", '"alice@example.test"'],
    ["a]b", "a]b", '"a]b"'], // resp-specials is an ASTRING-CHAR
    ["carol pw", '"carol pw"', '"carol pw"'],
    ['o"hara', '"o\\"hara"', '"o\\"hara"'],
    ['carol pw"1', '"carol pw\\"1"', '"carol pw\\"1"'],
    ["back\\slash", '"back\\\\slash"', '"back\\\\slash"'],
    ["", '""', '""'],
    ["50%", '"50%"', '"50%"'],
    ["(x)", '"(x)"', '"(x)"'],
    ["{5}", '"{5}"', '"{5}"'],
    ["tab\there", '"tab\there"', '"tab\there"'], // CTL but TEXT-CHAR: quoted carries it
    ["cr\rlf", undefined, undefined],
    ["line\n", undefined, undefined],
    ["nul\0", undefined, undefined],
    ["café", undefined, undefined], // 8-bit: not a CHAR
  ];
  for (const [value, asAstring, asQuoted] of table) {
    it(`${JSON.stringify(value)} → astring ${asAstring ?? "(literal)"}, quoted ${asQuoted ?? "(literal)"}`, () => {
      expect(astring(value)).to.equal(asAstring);
      expect(quotedString(value)).to.equal(asQuoted);
    });
  }
});

describe("exec: ${user.*.astring} and ${user.*.quoted}", () => {
  const target = A.target("imap", 143, "none", {
    users: [
      { login: 'o"hara@lab.test', password: 'carol pw"1', address: "ohara@lab.test" },
      { login: "bob", password: "bob-pw", address: "bob@lab.test" },
      { login: "dave", password: "new\nline", address: "dave@lab.test" },
    ],
  });
  const test = A.testCase("imap", []);
  const vars = new Variables(buildVariables(target, test, "tok"), target.users);
  const span = { file: "suites/imap/auth.yaml", line: 12, col: 9 };
  const resolve = (text: string, user = 0) => vars.resolve(compileTemplate(text), span, user);

  it("escapes what needs it and leaves atoms bare, for the connection's user and user2", () => {
    expect(resolve("LOGIN ${user.login.astring} ${user.password.astring}")).to.equal('LOGIN "o\\"hara@lab.test" "carol pw\\"1"');
    expect(resolve("LOGIN ${user2.login.astring} ${user2.password.astring}")).to.equal("LOGIN bob bob-pw");
    expect(resolve("LOGIN ${user2.login.quoted} ${user2.password.quoted}")).to.equal('LOGIN "bob" "bob-pw"');
    // A connection declared with `user: 1` sees bob as user.*.
    expect(resolve("LOGIN ${user.login.astring} ${user.password.quoted}", 1)).to.equal('LOGIN bob "bob-pw"');
    // The raw value is still there, for literals and SASL.
    expect(resolve("${user.password}")).to.equal('carol pw"1');
  });

  it("a value only a literal carries is a runner error naming the step, not a server failure", () => {
    expect(() => resolve("LOGIN ${user.login.astring} ${user.password.astring}", 2)).to.throw(
      /^suites\/imap\/auth\.yaml:12:9: '\$\{user\.password\.astring\}' cannot be written as an IMAP astring: .*CR, LF.*literal/,
    );
  });

  it("the loader accepts the forms of user.* and user2.*, and no others", async () => {
    expect(BUILTIN_VARIABLES).to.include.members(["user.login.astring", "user.password.quoted", "user2.password.astring", "user.address.quoted"]);
    const suite = (send: string) => ({
      "s.yaml": ["protocol: imap", "title: t", "tests:", "  - id: t.one", "    title: one", '    refs: ["RFC 3501 §6.2.3"]', "    level: MUST", "    steps:", `      - send: ${send}`, "      - expect: OK", "    quote: OK - login completed, now in authenticated state", ""].join("\n"),
    });
    const ok = await loadFiles(suite("LOGIN ${user.login.astring} ${user2.password.quoted}"));
    expect(ok.lines).to.deep.equal([]);
    const bad = await loadFiles(suite("LOGIN ${domain.astring} x"));
    expect(bad.lines.join("\n")).to.match(/unknown variable 'domain\.astring'/);
  });
});

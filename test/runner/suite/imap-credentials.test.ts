// The IMAP suites log in with credentials that need quoting (a login with a
// `"`, a password with a space and a `"`), over real sockets against the
// reference server: every LOGIN argument goes out as an astring or escaped
// quoted string, so the tests pass as they do for alice / alice-pw.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as A from "../../support/ast.ts";
import { startTestServer, type TestServer } from "../../reference-server/support/server.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import type { TestCase } from "../../../runner/model/ast.ts";
import type { Target } from "../../../runner/model/target.ts";

const SUITES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "suites", "imap");
const LOGIN = 'o"hara@example.test';
const PASSWORD = 'carol pw"1';
/** Tests that send the user's credentials as LOGIN arguments (quoted, atoms, literals, lower case, second user) and need no mailbox hierarchy (the test store has none). */
const CHOSEN = /^imap\.(login\.|case\.login-lower$|no\.wrong-password$)/;

describe("suites: IMAP logins with credentials that need quoting (real sockets)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let target: Target;
  let tests: TestCase[];

  before(async () => {
    server = await startTestServer((config) => {
      config.users.unshift({ name: LOGIN, password: `plain:${PASSWORD}`, address: "ohara@example.test", aliases: [] });
    });
    target = A.target("imap", server.ports.imap!, "none", {
      domain: "example.test",
      users: [
        { login: LOGIN, password: PASSWORD, address: "ohara@example.test" },
        { login: "bob", password: "bob-pw", address: "bob@example.test" },
      ],
    });
    const loaded = await loadSuites([SUITES]);
    expect(loaded.errors).to.deep.equal([]);
    tests = loaded.suites.flatMap((s) => s.tests).filter((t) => CHOSEN.test(t.id) && t.requires.length === 0);
  });

  after(async () => {
    await server?.stop();
  });

  it("every chosen test passes, and LOGIN carries the escaped quoted strings", async () => {
    expect(tests.length).to.be.greaterThan(5);
    const failed: string[] = [];
    const sent: string[] = [];
    for (const test of tests) {
      const { result } = await A.run(test, target, { timeoutMs: 5000 });
      if (result.status !== "passed") failed.push(`${test.id}: ${result.status} ${JSON.stringify(result.failure ?? result.warnings)}`);
      sent.push(...A.wire(result).filter((line) => /^C: \S+ login /i.test(line)));
    }
    expect(failed).to.deep.equal([]);
    expect(sent).to.include('C: A1 LOGIN "o\\"hara@example.test" "carol pw\\"1"');
    expect(tests.map((t) => t.id)).to.include.members(["imap.login.quoted", "imap.login.atoms", "imap.login.literal-password", "imap.login.literal-user", "imap.login.second-user"]);
  });
});

// Builtin variables of a test: test.slug turns an id into one mailbox-name
// component, imap.prefix / imap.delimiter say where per-test mailboxes go,
// domain.upper spells the target's domain in another case; the loader accepts them.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { buildVariables, testSlug } from "../../../runner/session/variables.ts";
import { BUILTIN_VARIABLES } from "../../../runner/suite/test-context.ts";
import { withImapNamespace } from "../../../runner/target/imap-namespace.ts";

describe("exec: builtin variables", () => {
  it("test.slug replaces every character but a-z, 0-9 and - with -", () => {
    expect(testSlug("imap.fetch.body_peek-2")).to.equal("imap-fetch-body-peek-2");
    expect(testSlug("a")).to.equal("a");
  });

  it("test.slug is bound for every test and known to the loader", () => {
    const vars = buildVariables(A.target("imap", 143), A.testCase("imap", [], { id: "imap.store.silent" }), "tok");
    expect(vars["test.slug"]).to.equal("imap-store-silent");
    expect(vars["test.id"]).to.equal("imap.store.silent");
    expect(BUILTIN_VARIABLES).to.include("test.slug");
  });
});

describe("exec: where per-test IMAP mailboxes go", () => {
  const test = A.testCase("imap", []);

  it("${imap.prefix} and ${imap.delimiter} come from the IMAP endpoint: the target file's keys, else what the probe read", () => {
    const configured = A.target("imap", 143, "none", { endpoints: { imap: { port: 143, tls: "none", mailboxPrefix: "INBOX.", delimiter: "." } } });
    expect(buildVariables(configured, test, "tok")).to.include({ "imap.prefix": "INBOX.", "imap.delimiter": "." });
    // The file wins over the server; what the file leaves open comes from the server.
    const probed = withImapNamespace(A.target("imap", 143, "none", { endpoints: { imap: { port: 143, tls: "none", delimiter: "/" } } }), { prefix: "INBOX.", delimiter: "." });
    expect(buildVariables(probed, test, "tok")).to.include({ "imap.prefix": "INBOX.", "imap.delimiter": "/" });
  });

  it("with nothing known, mailboxes go to the top level", () => {
    expect(buildVariables(A.target("smtp", 25), test, "tok")).to.include({ "imap.prefix": "", "imap.delimiter": "/" });
    expect(BUILTIN_VARIABLES).to.include.members(["imap.prefix", "imap.delimiter", "domain.upper"]);
  });

  it("${domain.upper} is the target's domain in upper case (domains compare case-insensitively)", () => {
    expect(buildVariables(A.target("smtp", 25), test, "tok")["domain.upper"]).to.equal("LAB.TEST");
  });
});

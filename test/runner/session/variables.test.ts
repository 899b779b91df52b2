// Builtin variables of a test: test.slug turns an id into one mailbox-name
// component, and the loader accepts it as a builtin.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { buildVariables, testSlug } from "../../../runner/session/variables.ts";
import { BUILTIN_VARIABLES } from "../../../runner/suite/test-context.ts";

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

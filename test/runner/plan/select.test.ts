import { expect } from "chai";
import { compileGrep, missingCapabilities, partitionByEndpoints, protocolsOf, selectTests, SelectionError, skipReasonForUsers } from "../../../runner/plan/select.ts";
import { testCase } from "../report/sample-run.ts";

describe("plan/select", function () {
  const tests = [
    testCase("smtp.ehlo.basic", { title: "EHLO is answered with 250", tags: ["smoke"] }),
    testCase("smtp.starttls.upgrade", { title: "STARTTLS upgrades", tags: ["tls", "Smoke"] }),
    testCase("pop3.stat.count", { title: "STAT counts messages" }),
    testCase("imap.login.ok", { title: "LOGIN succeeds", tags: ["auth"] }),
  ];
  const ids = (ts: { id: string }[]) => ts.map((t) => t.id);

  it("greps over the id", function () {
    expect(ids(selectTests(tests, { grep: compileGrep("^smtp\\."), tags: [] }))).to.deep.equal(["smtp.ehlo.basic", "smtp.starttls.upgrade"]);
  });

  it("greps over the title too", function () {
    expect(ids(selectTests(tests, { grep: compileGrep("counts"), tags: [] }))).to.deep.equal(["pop3.stat.count"]);
  });

  it("takes tests carrying any of the tags, case-insensitively", function () {
    expect(ids(selectTests(tests, { tags: ["smoke"] }))).to.deep.equal(["smtp.ehlo.basic", "smtp.starttls.upgrade"]);
    expect(ids(selectTests(tests, { tags: ["tls", "auth"] }))).to.deep.equal(["smtp.starttls.upgrade", "imap.login.ok"]);
  });

  it("combines grep and tag as an intersection", function () {
    expect(ids(selectTests(tests, { grep: compileGrep("ehlo"), tags: ["tls"] }))).to.deep.equal([]);
    expect(ids(selectTests(tests, { grep: compileGrep("STARTTLS"), tags: ["tls"] }))).to.deep.equal(["smtp.starttls.upgrade"]);
  });

  it("selects everything without criteria", function () {
    expect(selectTests(tests, { tags: [] })).to.have.length(4);
  });

  it("rejects an invalid regular expression with the flag in the message", function () {
    expect(() => compileGrep("(")).to.throw(SelectionError, /--grep "\(" is not a valid regular expression/);
  });

  it("knows every protocol a test talks, named connections included", function () {
    const t = testCase("smtp.deliver.visible", {
      connections: [{ name: "box", protocol: "imap", span: { file: "f", line: 1, col: 1 } }],
    });
    expect(protocolsOf(t)).to.deep.equal(["imap", "smtp"]);
  });

  it("skips tests needing a protocol the target has no endpoint for, naming it", function () {
    const t = testCase("smtp.deliver.pop3", { connections: [{ name: "box", protocol: "pop3", span: { file: "f", line: 1, col: 1 } }] });
    const plain = { port: 25, tls: "none" as const };
    const { runnable, skipped } = partitionByEndpoints([...tests, t], { smtp: plain, pop3: plain });
    expect(ids(runnable)).to.deep.equal(["smtp.ehlo.basic", "smtp.starttls.upgrade", "pop3.stat.count", "smtp.deliver.pop3"]);
    expect(skipped.map((s) => [s.test.id, s.reason])).to.deep.equal([["imap.login.ok", "target has no imap endpoint"]]);
  });

  it("skips a test whose connection asks for implicit TLS where the target has no such port, and the reverse", function () {
    const span = { file: "x.yaml", line: 1, col: 1 };
    const implicitBox = testCase("smtp.tls.implicit", { connections: [{ name: "box", protocol: "smtp", tls: "implicit", span }] });
    const plainMain = testCase("smtp.tls.plain", { connections: [{ name: "main", protocol: "smtp", tls: "none", span }] });
    const withoutImplicit = partitionByEndpoints([implicitBox, plainMain], { smtp: { port: 25, tls: "none" } });
    expect(ids(withoutImplicit.runnable)).to.deep.equal(["smtp.tls.plain"]);
    expect(withoutImplicit.skipped[0]?.reason).to.match(/^target has no implicit-TLS port for smtp \(RFC 8314/);
    const both = partitionByEndpoints([implicitBox, plainMain], { smtp: { port: 25, tls: "none", implicitTlsPort: 465 } });
    expect(ids(both.runnable)).to.deep.equal(["smtp.tls.implicit", "smtp.tls.plain"]);
    const implicitOnly = partitionByEndpoints([implicitBox, plainMain], { smtp: { port: 465, tls: "implicit" } });
    expect(ids(implicitOnly.runnable)).to.deep.equal(["smtp.tls.implicit"]);
    expect(implicitOnly.skipped[0]?.reason).to.equal('target\'s smtp endpoint speaks implicit TLS only; connection "main" asks for tls: none');
  });

  it("compares required capabilities case-insensitively", function () {
    const t = testCase("smtp.x", { requires: ["STARTTLS", "pipelining", "SIZE"] });
    expect(missingCapabilities(t, new Set(["PIPELINING", "starttls"]))).to.deep.equal(["SIZE"]);
    expect(missingCapabilities(t, new Set(["PIPELINING", "STARTTLS", "SIZE"]))).to.deep.equal([]);
  });

  it("a negated requirement is missing when the capability is advertised, in any case and valued form", function () {
    const t = testCase("smtp.x", { requires: ["!SIZE", "PIPELINING"] });
    expect(missingCapabilities(t, new Set(["PIPELINING"]))).to.deep.equal([]);
    expect(missingCapabilities(t, new Set(["PIPELINING", "size"]))).to.deep.equal(["!SIZE"]);
    expect(missingCapabilities(testCase("imap.x", { requires: ["!APPENDLIMIT"] }), new Set(["APPENDLIMIT=100"]))).to.deep.equal(["!APPENDLIMIT"]);
  });

  it("meets a requirement without a value by a valued capability of that name (APPENDLIMIT=n)", function () {
    const t = testCase("imap.append.limit", { requires: ["APPENDLIMIT", "AUTH=PLAIN"] });
    expect(missingCapabilities(t, new Set(["APPENDLIMIT=26214400", "AUTH=PLAIN"]))).to.deep.equal([]);
    expect(missingCapabilities(t, new Set(["APPENDLIMIT", "AUTH=LOGIN"]))).to.deep.equal(["AUTH=PLAIN"]);
    expect(missingCapabilities(t, new Set(["AUTH=PLAIN"]))).to.deep.equal(["APPENDLIMIT"]);
  });

  it("skips a test that needs more users than the target has", function () {
    expect(skipReasonForUsers(testCase("smtp.two", { usersNeeded: 2 }), 1)).to.equal("target has 1 user; the test needs 2");
    expect(skipReasonForUsers(testCase("smtp.two", { usersNeeded: 2 }), 2)).to.equal(undefined);
    expect(skipReasonForUsers(testCase("smtp.none"), 0)).to.equal(undefined);
  });
});

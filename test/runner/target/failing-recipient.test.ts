// `failing-recipient` on a target's smtp / lmtp endpoint: read from the file
// (an address, else an error at its position), bound as
// ${smtp.failing_recipient}, and a test that uses it skipped with a reason
// when the target names none.

import { expect } from "chai";
import { describe, it } from "mocha";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { partitionByEndpoints } from "../../../runner/plan/select.ts";
import { buildVariables } from "../../../runner/session/variables.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { loadTarget, TargetError } from "../../../runner/target/load.ts";

async function inDir<T>(files: Record<string, string>, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "mailconform-failing-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const TARGET = `host: 127.0.0.1
domain: lab.test
smtp: { port: 11025, failing-recipient: full@lab.test }
users: [{ login: alice, password: alice-pw }]
`;

const SUITE = `protocol: smtp
title: failing
tests:
  - id: x.failing
    title: sends to the failing recipient
    refs: ["RFC 3461 §4.1"]
    level: SHOULD
    quote: a quote
    steps:
      - expect: 220
      - send: RCPT TO:<\${smtp.failing_recipient}>
      - expect: 250
  - id: x.plain
    title: does not
    refs: ["RFC 5321 §3.1"]
    level: MUST
    quote: a quote
    steps:
      - expect: 220
`;

describe("target: failing-recipient", () => {
  it("reads the address from the smtp endpoint and binds it as \${smtp.failing_recipient}", async () => {
    const target = await inDir({ "lab.yaml": TARGET }, (dir) => loadTarget(path.join(dir, "lab.yaml")));
    expect(target.endpoints.smtp).to.deep.equal({ port: 11025, tls: "none", failingRecipient: "full@lab.test" });
    const loaded = await inDir({ "s.yaml": SUITE }, (dir) => loadSuites([dir]));
    expect(loaded.errors).to.deep.equal([]);
    const [failing, plain] = loaded.suites[0]!.tests;
    expect(failing!.failingRecipientsNeeded).to.deep.equal(["smtp"]);
    expect(plain!).to.not.have.property("failingRecipientsNeeded");
    expect(buildVariables(target, failing!, "tok")["smtp.failing_recipient"]).to.equal("full@lab.test");
    expect(partitionByEndpoints([failing!, plain!], target.endpoints).skipped).to.deep.equal([]);
  });

  it("skips a test that uses it, with a reason, on a target that names none", async () => {
    const loaded = await inDir({ "s.yaml": SUITE }, (dir) => loadSuites([dir]));
    const { runnable, skipped } = partitionByEndpoints(loaded.suites[0]!.tests, { smtp: { port: 25, tls: "none" } });
    expect(runnable.map((t) => t.id)).to.deep.equal(["x.plain"]);
    expect(skipped.map((s) => [s.test.id, s.reason])).to.deep.equal([
      ["x.failing", "target names no recipient whose delivery fails after acceptance (give smtp: { failing-recipient: ADDRESS } in the target)"],
    ]);
  });

  it("refuses a value that is not an address, at its position", async () => {
    const error = await inDir({ "lab.yaml": TARGET.replace("full@lab.test", "full") }, async (dir) => loadTarget(path.join(dir, "lab.yaml")).catch((e: unknown) => e));
    expect(error).to.be.instanceOf(TargetError);
    expect((error as TargetError).errors.map((e) => [e.line, e.message])).to.deep.equal([[3, "'failing-recipient' must be an address, local-part@domain"]]);
  });
});

// The submission endpoint (RFC 6409): a target file's `submission:` key, a
// suite connection's `endpoint: submission`, the plan skipping such tests on
// a target without one, and the session dialling its port (a real socket).

import { expect } from "chai";
import { describe, it } from "mocha";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { endpointFor } from "../../../runner/model/target.ts";
import { partitionByEndpoints } from "../../../runner/plan/select.ts";
import { loadSuites } from "../../../runner/suite/load.ts";
import { loadTarget, TargetError } from "../../../runner/target/load.ts";
import { runTest } from "../../../runner/exec/run-test.ts";

async function inDir<T>(files: Record<string, string>, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "mailconform-submission-"));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const TARGET = `host: 127.0.0.1
domain: lab.test
smtp: 11025
pop3: 11110
submission: { port: 11587, tls: starttls }
users: [{ login: alice, password: alice-pw }]
`;

const SUITE = `protocol: smtp
title: submission
tests:
  - id: x.submission
    title: the main connection dials the submission endpoint
    refs: ["RFC 6409 §3.1"]
    level: MUST
    quote: When conforming to this document, message submission uses the protocol specified here, normally over port 587.
    connections:
      main: { endpoint: submission }
    steps:
      - expect: 220
  - id: x.plain
    title: the main connection dials the smtp endpoint
    refs: ["RFC 5321 §3.1"]
    level: MUST
    quote: An SMTP session is initiated when a client opens a connection to a server and the server responds with an opening message.
    steps:
      - expect: 220
`;

describe("target: submission endpoint", () => {
  it("reads `submission:` as an SMTP endpoint of its own, in the long and the short form", async () => {
    const long = await inDir({ "lab.yaml": TARGET }, (dir) => loadTarget(path.join(dir, "lab.yaml")));
    expect(long.submission).to.deep.equal({ port: 11587, tls: "starttls" });
    expect(long.endpoints.smtp).to.deep.equal({ port: 11025, tls: "none" });
    const short = await inDir({ "lab.yaml": TARGET.replace("{ port: 11587, tls: starttls }", "587") }, (dir) => loadTarget(path.join(dir, "lab.yaml")));
    expect(short.submission).to.deep.equal({ port: 587, tls: "none" });
    const none = await inDir({ "lab.yaml": TARGET.replace(/^submission:.*\n/m, "") }, (dir) => loadTarget(path.join(dir, "lab.yaml")));
    expect(none).to.not.have.property("submission");
  });

  it("refuses a submission port out of range, at its position", async () => {
    const error = await inDir({ "lab.yaml": TARGET.replace("port: 11587", "port: 70000") }, async (dir) => {
      try {
        await loadTarget(path.join(dir, "lab.yaml"));
      } catch (e) {
        return e;
      }
      throw new Error("expected a TargetError");
    });
    expect(error).to.be.instanceOf(TargetError);
    expect((error as TargetError).errors.map((e) => e.line)).to.deep.equal([5]);
  });

  it("a connection's named endpoint picks the submission one, else its protocol's", () => {
    const target = { endpoints: { smtp: { port: 25, tls: "none" as const } }, submission: { port: 587, tls: "starttls" as const } };
    expect(endpointFor(target, "smtp", "submission")).to.equal(target.submission);
    expect(endpointFor(target, "smtp", undefined)).to.equal(target.endpoints.smtp);
    expect(endpointFor({ endpoints: target.endpoints }, "smtp", "submission")).to.equal(undefined);
  });

  it("loads `endpoint: submission` on an SMTP connection and refuses it on another protocol", async () => {
    const loaded = await inDir({ "s.yaml": SUITE }, (dir) => loadSuites([dir]));
    expect(loaded.errors).to.deep.equal([]);
    expect(loaded.suites[0]!.tests[0]!.connections.map((c) => [c.name, c.protocol, c.endpoint])).to.deep.equal([["main", "smtp", "submission"]]);
    const pop3 = SUITE.replace("main: { endpoint: submission }", "box: { protocol: pop3, endpoint: submission }");
    const refused = await inDir({ "s.yaml": pop3 }, (dir) => loadSuites([dir]));
    expect(refused.errors.map((e) => e.message)).to.deep.equal(["'endpoint: submission' is an SMTP endpoint; connection 'box' speaks pop3"]);
    const unknown = await inDir({ "s.yaml": SUITE.replace("endpoint: submission", "endpoint: relay") }, (dir) => loadSuites([dir]));
    expect(unknown.errors).to.have.length(1);
  });

  it("skips a test that dials the submission endpoint on a target without one, and runs it on a target with one", async () => {
    const { suites } = await inDir({ "s.yaml": SUITE }, (dir) => loadSuites([dir]));
    const tests = suites[0]!.tests;
    const smtp = { port: 25, tls: "none" as const };
    const without = partitionByEndpoints(tests, { smtp });
    expect(without.runnable.map((t) => t.id)).to.deep.equal(["x.plain"]);
    expect(without.skipped.map((s) => [s.test.id, s.reason])).to.deep.equal([["x.submission", "target has no submission endpoint (RFC 6409; give 'submission' in the target)"]]);
    const withIt = partitionByEndpoints(tests, { smtp }, { port: 587, tls: "none" });
    expect(withIt.runnable.map((t) => t.id)).to.deep.equal(["x.submission", "x.plain"]);
  });

  it("dials the submission port for such a connection and the smtp port otherwise", async () => {
    const greeters = await Promise.all(["submission", "smtp"].map((name) => greeter(`220 ${name} ready`)));
    try {
      const greetingOf = (name: string) => () => `- expect: { code: 220, text: '^${name} ready$' }`;
      const suite = SUITE.replace("- expect: 220", greetingOf("submission")).replace("- expect: 220", greetingOf("smtp"));
      const { suites, errors } = await inDir({ "s.yaml": suite }, (dir) => loadSuites([dir]));
      expect(errors).to.deep.equal([]);
      const target = {
        name: "lab",
        host: "127.0.0.1",
        domain: "lab.test",
        insecure: false,
        users: [{ login: "alice", password: "alice-pw", address: "alice@lab.test" }],
        endpoints: { smtp: { port: greeters[1]!.port, tls: "none" as const } },
        submission: { port: greeters[0]!.port, tls: "none" as const },
      };
      for (const test of suites[0]!.tests) {
        const result = await runTest(test, { target, timeoutMs: 3000, runToken: "t0", emit: () => {} });
        expect(result.status, `${test.id}: ${JSON.stringify(result.failure)}`).to.equal("passed");
      }
    } finally {
      for (const g of greeters) g.server.close();
    }
  });
});

/** A server that sends one greeting line to every client and then waits. */
async function greeter(line: string): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.write(line + "\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as net.AddressInfo).port };
}

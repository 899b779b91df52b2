// One target's protocol-by-protocol run (runner/grade/protocol-runs.ts) over
// real sockets against the reference server: each protocol is probed once
// for the whole target, however many of its parts need it (a part probes the
// protocols its tests touch: the SMTP part reads its mail back over POP3),
// and the merged report handed back is the one written to disk, with no
// part files left beside it.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import type { Protocol } from "../../../runner/model/ast.ts";
import type { Target } from "../../../runner/model/target.ts";
import { runByProtocol } from "../../../runner/grade/protocol-runs.ts";
import { defaultDeps, type RunDeps } from "../../../runner/run/deps.ts";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const SUITES = [path.join(ROOT, "suites", "pop3", "basics.yaml"), path.join(ROOT, "suites", "smtp", "data-transparency.yaml")];

describe("grade: one target, protocol by protocol", function () {
  this.timeout(60_000);
  let dir = "";
  let server: RunningServer;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-protocol-runs-"));
    server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
  });
  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("probes each protocol once for all its parts, and hands back the report it wrote", async () => {
    const { suites } = await defaultDeps.loadSuites(SUITES);
    const tests = suites.flatMap((s) => s.tests);
    const target: Target = {
      name: "one",
      host: "127.0.0.1",
      domain: "example.test",
      insecure: true,
      endpoints: { smtp: { port: server.ports.smtp, tls: "none" }, pop3: { port: server.ports.pop3, tls: "none" }, imap: { port: server.ports.imap!, tls: "none" } },
      users: ["alice", "bob"].map((login) => ({ login, password: `${login}-pw`, address: `${login}@example.test` })),
    };
    const probes: Protocol[] = [];
    const parts: string[] = [];
    const deps: RunDeps = {
      ...defaultDeps,
      probeCapabilities: (t, protocol, ...rest) => (probes.push(protocol), defaultDeps.probeCapabilities(t, protocol, ...rest)),
      runTest: (test, env) => (parts.includes(test.protocol) || parts.push(test.protocol), defaultDeps.runTest(test, env)),
    };
    const jsonFile = path.join(dir, "out", "report.json");
    const runs = await runByProtocol(
      { target, tests, blocked: new Map(), paths: SUITES, cwd: dir, timeoutMs: 3000, budgetMs: 50_000, jobs: 1, jsonFile, out: { write: () => {} } },
      deps,
    );
    expect(parts).to.deep.equal(["pop3", "smtp"]);
    expect(probes.sort()).to.deep.equal(["pop3", "smtp"]);
    expect(runs.report.tests.filter((t) => t.status !== "passed").map((t) => `${t.id} ${t.status}`)).to.deep.equal([]);
    expect(runs.report.tests).to.have.length(tests.length);
    expect(runs.report).to.deep.equal(JSON.parse(await readFile(jsonFile, "utf8")));
    expect(await readdir(path.dirname(jsonFile))).to.deep.equal(["report.json"]);
  });
});

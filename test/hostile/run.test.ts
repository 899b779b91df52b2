// The whole catalogue in one orchestrated run (jobs 4, JSON report): every
// scenario is reported, the failure classes and statuses reach the report,
// no run-error, and the exit code is 1 (conformance failures and errors).
// A target whose every endpoint is silent makes the real probe fail: exit 3.
// Probes are faked for the catalogue run (a hostile server would fail them);
// each test reaches the real runTest with its own scripted server as target.

import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SuiteFile, TestCase } from "../../runner/model/ast.ts";
import type { Target } from "../../runner/model/target.ts";
import { defaultDeps, type RunDeps } from "../../runner/run/deps.ts";
import { runConformance, type RunOptions } from "../../runner/run/run.ts";
import * as A from "../support/ast.ts";
import { hang, startScriptedServer, type ScriptedServer } from "../support/scripted-server.ts";
import { startScenarioServer } from "./run-scenario.ts";
import { BUDGET_MS, SCENARIOS } from "./scenarios.ts";

/** The budget of a row not expected to time out, in this shared-loop run. */
const SHARED_LOOP_BUDGET_MS = 5000;
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

describe("hostile servers: the catalogue in one orchestrated run", function () {
  this.timeout(60_000);
  let dir = "";
  const servers: ScriptedServer[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-hostile-"));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  function options(target: Target, over: Partial<RunOptions> = {}): RunOptions {
    return {
      paths: ["hostile"],
      target: { kind: "started", start: async () => ({ target, release: async () => {} }) },
      tags: [],
      jobs: 4,
      bail: false,
      list: false,
      timeoutMs: BUDGET_MS,
      reports: [{ name: "json", destination: path.join(dir, "report.json") }],
      cwd: dir,
      out: { write: () => {} },
      err: { write: () => {} },
      ...over,
    };
  }

  it("runs every scenario with jobs 4, reports each with its class, and exits 1", async () => {
    const targets = new Map<string, Target>();
    const tests: TestCase[] = [];
    for (const s of SCENARIOS) {
      const { server, target } = await startScenarioServer(s);
      servers.push(server);
      const id = `${s.protocol}.hostile.${slug(s.name)}`;
      targets.set(id, target);
      // Here the 1 GB floods and the 64 MiB literal share this process's event loop with every other row: a row
      // that does not end in a timeout gets a budget that loaded loop cannot exhaust (its class stays the same).
      const timeoutMs = s.expect.class === "timeout" ? s.timeoutMs : Math.max(s.timeoutMs ?? BUDGET_MS, SHARED_LOOP_BUDGET_MS);
      tests.push(A.testCase(s.protocol, s.steps, { id, title: s.name, file: `hostile/${s.protocol}.yaml`, ...(timeoutMs ? { timeoutMs } : {}) }));
    }
    const suites: SuiteFile[] = (["smtp", "pop3", "imap"] as const).map((p) => ({ file: `hostile/${p}.yaml`, protocol: p, title: p, tests: tests.filter((t) => t.protocol === p) }));
    const base: Target = { ...A.target("smtp", 1), endpoints: { smtp: { port: 1, tls: "none" }, pop3: { port: 1, tls: "none" }, imap: { port: 1, tls: "none" } } };
    const deps: RunDeps = {
      ...defaultDeps,
      loadSuites: async () => ({ suites, errors: [] }),
      probeCapabilities: async () => ({ ok: true, advertised: new Set() }),
      runTest: (test, env) => defaultDeps.runTest(test, { ...env, target: targets.get(test.id)! }),
    };
    const started = Date.now();
    expect(await runConformance(options(base), deps)).to.equal(1);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
    expect(report.tests).to.have.length(SCENARIOS.length);
    for (const s of SCENARIOS) {
      const r = report.tests.find((t: { id: string }) => t.id === `${s.protocol}.hostile.${slug(s.name)}`);
      expect(r, s.name).to.not.equal(undefined);
      expect(r.status, `${s.name}: ${JSON.stringify(r.failure)}`).to.equal(s.expect.status);
      if (s.expect.class) expect(r.failure?.class, s.name).to.equal(s.expect.class);
    }
    expect(report.summary.failed + report.summary.errors).to.equal(SCENARIOS.filter((s) => s.expect.status !== "passed").length);
    // Four at a time, the slowest rows (10 s budgets) bound the run; a hang would hit mocha's 60 s.
    expect(Date.now() - started).to.be.below(40_000);
  });

  it("exits 3 when every endpoint of the target is silent (the real probe fails)", async () => {
    const silent = await startScriptedServer([hang()]);
    servers.push(silent);
    const target: Target = { ...A.target("smtp", silent.port), endpoints: { smtp: { port: silent.port, tls: "none" } } };
    const suites: SuiteFile[] = [{ file: "hostile/smtp.yaml", protocol: "smtp", title: "smtp", tests: [A.testCase("smtp", [A.send("EHLO x"), A.smtp("250")], { id: "smtp.hostile.silent" })] }];
    const code = await runConformance(options(target), { ...defaultDeps, loadSuites: async () => ({ suites, errors: [] }) });
    expect(code).to.equal(3);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
    expect(report.tests[0]).to.include({ id: "smtp.hostile.silent", status: "failed" });
    expect(report.tests[0].failure.class).to.equal("timeout");
  });
});

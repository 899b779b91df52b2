// The orchestrator with the engine, suite loader and probe replaced by fakes:
// exit codes, skips, concurrency, --bail and run-errors without a socket.

import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Protocol, SuiteFile, TestCase } from "../../../runner/model/ast.ts";
import type { SuiteError } from "../../../runner/model/failure.ts";
import type { TestResult } from "../../../runner/model/result.ts";
import type { Target } from "../../../runner/model/target.ts";
import type { ProbeResult, RunDeps, TestEnv } from "../../../runner/run/deps.ts";
import { runConformance, type RunOptions } from "../../../runner/run/run.ts";
import { RunInterrupt } from "../../../runner/run/interrupt.ts";
import { testCase } from "../report/sample-run.ts";

const TARGET: Target = {
  name: "fake",
  host: "127.0.0.1",
  domain: "example.test",
  insecure: false,
  endpoints: { smtp: { port: 2025, tls: "none" }, pop3: { port: 2110, tls: "none" }, imap: { port: 2143, tls: "none" } },
  users: [{ login: "alice", password: "alice-pw", address: "alice@example.test" }],
};

function passed(test: TestCase, over: Partial<TestResult> = {}): TestResult {
  return {
    id: test.id, title: test.title, protocol: test.protocol, file: test.file, line: test.span.line, refs: test.refs,
    level: test.level, tags: test.tags, status: "passed", durationMs: 1, warnings: [], steps: [], transcript: [], ...over,
  };
}

function failed(test: TestCase): TestResult {
  return passed(test, {
    status: "failed",
    failure: { class: "assertion", message: "expected 250, got 501", phase: "steps", step: 1, position: test.span, expected: "250", actual: "501 no" },
  });
}

interface Fake extends RunDeps {
  ran: string[];
  probed: Protocol[];
  maxConcurrent: number;
  overlapsPop3: boolean;
}

function fake(tests: TestCase[], over: {
  errors?: SuiteError[];
  probes?: Partial<Record<Protocol, ProbeResult>>;
  run?: (test: TestCase, env: TestEnv) => Promise<TestResult>;
} = {}): Fake {
  let running = 0;
  let pop3Running = 0;
  const byFile = new Map<string, TestCase[]>();
  for (const t of tests) byFile.set(t.file, [...(byFile.get(t.file) ?? []), t]);
  const suites: SuiteFile[] = [...byFile].map(([file, ts]) => ({ file, protocol: ts[0]!.protocol, title: file, tests: ts }));
  const f: Fake = {
    ran: [],
    probed: [],
    maxConcurrent: 0,
    overlapsPop3: false,
    loadSuites: async () => ({ suites, errors: over.errors ?? [] }),
    formatSuiteError: (e) => `${e.file}:${e.line}:${e.col}: ${e.message}`,
    loadTarget: async () => TARGET,
    targetFromFlags: () => TARGET,
    probeCapabilities: async (_t, p) => {
      f.probed.push(p);
      return over.probes?.[p] ?? { ok: true, advertised: new Set(["PIPELINING"]) };
    },
    runTest: async (test, env) => {
      f.ran.push(test.id);
      running++;
      if (test.protocol === "pop3") {
        if (pop3Running > 0) f.overlapsPop3 = true;
        pop3Running++;
      }
      f.maxConcurrent = Math.max(f.maxConcurrent, running);
      try {
        env.emit({ type: "step-begin", id: test.id, phase: "steps", index: 1, title: "expect 220" });
        env.emit({ type: "wire", id: test.id, line: { connection: "main", dir: "S", ms: 1, text: "220 hi" } });
        await new Promise((r) => setTimeout(r, 5 + (test.id.length % 4) * 3));
        return await (over.run ? over.run(test, env) : Promise.resolve(passed(test)));
      } finally {
        running--;
        if (test.protocol === "pop3") pop3Running--;
      }
    },
  };
  return f;
}

describe("run/orchestrator", function () {
  let dir = "";
  let out = "";
  let err = "";
  let released = 0;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-run-"));
    out = "";
    err = "";
    released = 0;
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  function options(over: Partial<RunOptions> = {}): RunOptions {
    return {
      paths: ["suites"],
      target: { kind: "started", start: async () => ({ target: TARGET, release: async () => void released++ }) },
      tags: [],
      jobs: 1,
      bail: false,
      list: false,
      timeoutMs: 1000,
      reports: [{ name: "json", destination: path.join(dir, "report.json") }],
      cwd: dir,
      out: { write: (t: string) => (out += t) },
      err: { write: (t: string) => (err += t) },
      ...over,
    };
  }
  const report = async () => JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));

  it("exits 0 when everything passed, and releases the target", async function () {
    const deps = fake([testCase("smtp.b"), testCase("smtp.a")]);
    expect(await runConformance(options(), deps)).to.equal(0);
    expect(deps.ran).to.deep.equal(["smtp.a", "smtp.b"]);
    expect(released).to.equal(1);
    expect(out.trimEnd().split("\n").at(-1)).to.equal("2 passed, 0 failed, 0 skipped");
    expect((await report()).exitCode).to.equal(0);
  });

  it("exits 2 on suite errors, printing all of them, without probing or starting the target", async function () {
    const errors: SuiteError[] = [
      { file: "a.yaml", line: 3, col: 5, message: "unknown key" },
      { file: "b.yaml", line: 9, col: 1, message: "missing id" },
    ];
    const deps = fake([testCase("smtp.a")], { errors });
    expect(await runConformance(options(), deps)).to.equal(2);
    expect(err).to.include("a.yaml:3:5: unknown key").and.to.include("b.yaml:9:1: missing id").and.to.include("2 errors");
    expect(deps.probed).to.deep.equal([]);
    expect(released).to.equal(0);
    expect(existsSync(path.join(dir, "report.json"))).to.equal(false);
  });

  it("an expectations file naming no loaded test exits 2 and says so in the singular or plural", async function () {
    const deps = fake([testCase("smtp.a")]);
    const one = path.join(dir, "one.yaml");
    const two = path.join(dir, "two.yaml");
    await writeFile(one, "deviations:\n  - id: smtp.typo\n    ref: RFC 5321 §3.3\n    reason: r\n");
    await writeFile(two, "deviations:\n  - id: smtp.other-typo\n    ref: RFC 5321 §3.3\n    reason: r\n");
    expect(await runConformance(options({ deviationFiles: [one] }), deps)).to.equal(2);
    expect(err).to.include("1 error in the expectations file; nothing was run").and.not.to.include("suites");
    err = "";
    expect(await runConformance(options({ deviationFiles: [one, two] }), deps)).to.equal(2);
    expect(err).to.include("2 errors in the expectations files; nothing was run");
    expect(deps.probed).to.deep.equal([]);
  });

  it("exits 2 on duplicate ids across files", async function () {
    const deps = fake([testCase("smtp.a"), testCase("smtp.a", { file: "/other.yaml", span: { file: "/other.yaml", line: 7, col: 5 } })]);
    expect(await runConformance(options(), deps)).to.equal(2);
    expect(err).to.include("/other.yaml:7:5: duplicate test id 'smtp.a'");
  });

  it("exits 2 on an invalid --grep before loading anything", async function () {
    expect(await runConformance(options({ grep: "(" }), fake([]))).to.equal(2);
    expect(err).to.include("not a valid regular expression");
  });

  it("exits 4 when nothing matches, naming the selection", async function () {
    const deps = fake([testCase("smtp.a")]);
    expect(await runConformance(options({ grep: "nomatch", tags: ["x"] }), deps)).to.equal(4);
    expect(err).to.include('no test matched --grep "nomatch" --tag x');
    expect(released).to.equal(0);
  });

  it("lists the selected ids in order, honouring the shard, without a target", async function () {
    const deps = fake(["smtp.d", "smtp.a", "smtp.c", "smtp.b"].map((id) => testCase(id)));
    expect(await runConformance(options({ list: true, shard: { index: 2, total: 2 } }), deps)).to.equal(0);
    expect(out).to.equal("smtp.c\nsmtp.d\n");
    expect(released).to.equal(0);
  });

  it("exits 1 on a conformance failure, and prints it Hurl-style", async function () {
    const deps = fake([testCase("smtp.a"), testCase("smtp.b")], { run: async (t) => (t.id === "smtp.b" ? failed(t) : passed(t)) });
    expect(await runConformance(options(), deps)).to.equal(1);
    expect(out).to.include("FAIL smtp.b").and.to.include("expected: 250");
    expect(out.trimEnd().split("\n").at(-1)).to.equal("1 passed, 1 failed, 0 skipped");
  });

  it("skips a test whose requirement is not advertised, with the reason in the report", async function () {
    const deps = fake([testCase("smtp.tls", { requires: ["starttls"] }), testCase("smtp.pipe", { requires: ["pipelining"] })]);
    expect(await runConformance(options(), deps)).to.equal(0);
    expect(deps.ran).to.deep.equal(["smtp.pipe"]);
    const tls = (await report()).tests.find((t: { id: string }) => t.id === "smtp.tls");
    expect(tls).to.include({ status: "skipped", skipReason: "server does not advertise starttls", skipKind: "unadvertised" });
    expect(out).to.include("smtp.tls skipped: server does not advertise starttls");
  });

  it("matches requirements in the state each test needs them, and hands the probed IMAP namespace to the tests", async function () {
    const span = { file: "/suites/smtp/sample.yaml", line: 9, col: 7 };
    const upgrades = testCase("smtp.auth-after-tls", { requires: ["STARTTLS", "AUTH"], steps: [{ kind: "starttls", on: "main", span }] });
    const plain = testCase("smtp.auth-plain", { requires: ["AUTH"] });
    const imap = testCase("imap.uses-prefix");
    let seen: Target | undefined;
    const deps = fake([upgrades, plain, imap], {
      probes: {
        smtp: { ok: true, advertised: new Set(["STARTTLS", "AUTH"]), states: { "before-tls": new Set(["STARTTLS"]), "after-starttls": new Set(["AUTH"]) } },
        imap: { ok: true, advertised: new Set(), states: { "before-tls": new Set() }, namespace: { prefix: "INBOX.", delimiter: "." } },
      },
      run: async (test, env) => {
        if (test.protocol === "imap") seen = env.target;
        return passed(test);
      },
    });
    expect(await runConformance(options(), deps)).to.equal(0);
    expect(deps.ran).to.deep.equal(["imap.uses-prefix", "smtp.auth-after-tls"]);
    expect(out).to.include("smtp.auth-plain skipped: server does not advertise AUTH");
    expect(seen?.endpoints.imap).to.include({ mailboxPrefix: "INBOX.", delimiter: "." });
  });

  it("skips a test needing a second user when the target names one", async function () {
    const deps = fake([testCase("smtp.two", { usersNeeded: 2 }), testCase("smtp.one", { usersNeeded: 1 })]);
    expect(await runConformance(options(), deps)).to.equal(0);
    expect(deps.ran).to.deep.equal(["smtp.one"]);
    expect((await report()).tests[1]).to.include({ id: "smtp.two", status: "skipped", skipReason: "target has 1 user; the test needs 2", skipKind: "too-few-users" });
  });

  it("probes each needed protocol once, and only those", async function () {
    const deps = fake([testCase("smtp.a"), testCase("smtp.b"), testCase("imap.a")]);
    await runConformance(options(), deps);
    expect([...deps.probed].sort()).to.deep.equal(["imap", "smtp"]);
  });

  it("exits 3 when every needed protocol is unreachable; its tests are errors of class connection", async function () {
    const down: ProbeResult = { ok: false, reason: "connect ECONNREFUSED 127.0.0.1:2025", class: "connection" };
    const deps = fake([testCase("smtp.a"), testCase("smtp.b")], { probes: { smtp: down } });
    expect(await runConformance(options(), deps)).to.equal(3);
    expect(deps.ran).to.deep.equal([]);
    const r = await report();
    expect(r.summary).to.deep.equal({ total: 2, passed: 0, failed: 0, skipped: 0, errors: 2 });
    expect(r.tests[0].failure).to.include({ class: "connection", actual: "connect ECONNREFUSED 127.0.0.1:2025" });
    expect(released).to.equal(1);
  });

  it("a probe that throws is our bug: a run-error and exit 1, not 'unreachable' (3)", async function () {
    const deps = fake([testCase("smtp.a")]);
    deps.probeCapabilities = async () => {
      throw new Error("probe bug");
    };
    expect(await runConformance(options(), deps)).to.equal(1);
    const r = await report();
    expect(r.runErrors[0].message).to.equal("probing smtp capabilities failed: probe bug");
    expect(r.tests[0].status).to.equal("error");
  });

  it("exits 1 when one protocol is unreachable and another works", async function () {
    const down: ProbeResult = { ok: false, reason: "timed out", class: "connection" };
    const deps = fake([testCase("smtp.a"), testCase("pop3.a")], { probes: { pop3: down } });
    expect(await runConformance(options(), deps)).to.equal(1);
    expect(deps.ran).to.deep.equal(["smtp.a"]);
  });

  it("skips tests for protocols the target lacks, and exits 4 when no test is left to run", async function () {
    const smtpOnly: Target = { ...TARGET, endpoints: { smtp: { port: 1, tls: "none" } } };
    const deps = fake([testCase("imap.a")]);
    const code = await runConformance(options({ target: { kind: "started", start: async () => ({ target: smtpOnly, release: async () => {} }) } }), deps);
    expect(code).to.equal(4);
    expect((await report()).tests[0]).to.include({ status: "skipped", skipReason: "target has no imap endpoint", skipKind: "no-endpoint" });
  });

  it("runs up to --jobs tests at once, never two POP3 tests, and reports in id order", async function () {
    const ids = ["smtp.e", "smtp.a", "imap.c", "smtp.d", "imap.b", "smtp.f", "pop3.x", "pop3.y", "pop3.z"];
    const deps = fake(ids.map((id) => testCase(id)));
    expect(await runConformance(options({ jobs: 3 }), deps)).to.equal(0);
    expect(deps.maxConcurrent).to.equal(3);
    expect(deps.overlapsPop3).to.equal(false);
    expect((await report()).tests.map((t: { id: string }) => t.id)).to.deep.equal([...ids].sort());
  });

  it("with a user set per job, tests run side by side on disjoint users, POP3 tests too", async function () {
    const users = ["alice", "bob", "carol", "dave", "erin", "frank", "gina"].map((login) => ({ login, password: `${login}-pw`, address: `${login}@example.test` }));
    const many: Target = { ...TARGET, users };
    const seen: { id: string; logins: string[] }[] = [];
    const ids = ["pop3.a", "pop3.b", "pop3.c", "pop3.d", "smtp.e", "smtp.f", "smtp.g", "smtp.two-users"];
    const tests = ids.map((id) => testCase(id, id === "smtp.two-users" ? { usersNeeded: 2 } : {}));
    const deps = fake(tests, {
      run: async (t, env) => {
        seen.push({ id: t.id, logins: env.target.users.map((u) => u.login) });
        return passed(t);
      },
    });
    const code = await runConformance(options({ jobs: 4, target: { kind: "started", start: async () => ({ target: many, release: async () => {} }) } }), deps);
    expect(code, err).to.equal(0);
    // 7 users, the most a test needs is 2: three sets of two (the seventh user is left over), so three slots.
    expect(deps.maxConcurrent).to.equal(3);
    expect(deps.overlapsPop3).to.equal(true);
    const sets = new Set(seen.map((s) => s.logins.join(",")));
    expect([...sets].every((s) => ["alice,bob", "carol,dave", "erin,frank"].includes(s)), [...sets].join(" ")).to.equal(true);
    expect(seen.find((s) => s.id === "smtp.two-users")!.logins).to.have.length(2);
  });

  it("starts the longest tests first when each job has users of its own, in id order when they share users", async function () {
    const span = { file: "f", line: 1, col: 1 };
    const ids = ["smtp.a", "smtp.b", "smtp.waits"];
    const tests = () => ids.map((id) => testCase(id, id === "smtp.waits" ? { steps: [{ kind: "wait", on: "main", span, ms: 300 }] } : {}));
    const two: Target = { ...TARGET, users: [...TARGET.users, { login: "bob", password: "bob-pw", address: "bob@example.test" }] };
    const isolated = fake(tests());
    expect(await runConformance(options({ jobs: 2, target: { kind: "started", start: async () => ({ target: two, release: async () => {} }) } }), isolated)).to.equal(0);
    expect(isolated.ran).to.deep.equal(["smtp.waits", "smtp.a", "smtp.b"]);
    const shared = fake(tests());
    expect(await runConformance(options({ jobs: 2 }), shared)).to.equal(0);
    expect(shared.ran).to.deep.equal(ids);
  });

  it("sweeps the accounts after the run, but not those of a disposable target (deleted on release)", async function () {
    for (const disposable of [false, true]) {
      const swept: string[] = [];
      const deps: RunDeps = {
        ...fake([testCase("smtp.a")], { run: async (t) => passed(t, { transcript: [{ connection: "main", dir: "S", ms: 1, text: "220 hi" }] }) }),
        sweepAccounts: async (target) => {
          swept.push(target.name);
          return [];
        },
      };
      const start = async () => ({ target: TARGET, release: async () => {}, ...(disposable ? { disposable: true as const } : {}) });
      expect(await runConformance(options({ target: { kind: "started", start } }), deps)).to.equal(0);
      expect(swept, `disposable: ${disposable}`).to.deep.equal(disposable ? [] : ["fake"]);
    }
  });

  it("--bail stops scheduling after the first failure and reports the rest as not run", async function () {
    const deps = fake(["smtp.a", "smtp.b", "smtp.c"].map((id) => testCase(id)), { run: async (t) => (t.id === "smtp.a" ? failed(t) : passed(t)) });
    expect(await runConformance(options({ bail: true }), deps)).to.equal(1);
    expect(deps.ran).to.deep.equal(["smtp.a"]);
    const r = await report();
    expect(r.tests.map((t: { status: string }) => t.status)).to.deep.equal(["failed", "skipped", "skipped"]);
    expect(r.tests[1].skipReason).to.equal("not run: --bail stopped the run after smtp.a failed");
    expect(r.tests[1].skipKind).to.equal("not-run");
  });

  it("turns an engine exception into a run-error with its stack and an error result; the run goes on", async function () {
    const deps = fake([testCase("smtp.a"), testCase("smtp.b")], {
      run: async (t) => {
        if (t.id === "smtp.a") throw new TypeError("cannot read properties of undefined");
        return passed(t);
      },
    });
    expect(await runConformance(options(), deps)).to.equal(1);
    const r = await report();
    expect(r.tests.map((t: { status: string }) => t.status)).to.deep.equal(["error", "passed"]);
    expect(r.runErrors[0].message).to.include("running smtp.a failed inside the runner");
    expect(r.runErrors[0].stack).to.include("TypeError: cannot read properties of undefined");
    expect(out).to.include("run error:");
  });

  it("a test that never settles is cut off by the watchdog, as a run-error", async function () {
    const deps = fake([testCase("smtp.hang"), testCase("smtp.ok")], {
      run: (t, env) => (t.id === "smtp.hang" ? new Promise(() => void env) : Promise.resolve(passed(t))),
    });
    // Watchdog = step budget × (steps + connections + 4) + grace: 1 ms × 4 + 100 ms here.
    expect(await runConformance(options({ timeoutMs: 1, watchdogGraceMs: 100 }), deps)).to.equal(1);
    const r = await report();
    expect(r.tests.map((t: { status: string }) => t.status)).to.deep.equal(["error", "passed"]);
    expect(r.runErrors[0].message).to.match(/smtp.hang did not finish within 104 ms/);
  });

  it("writes reports/mailconform.json and reports/junit.xml when no report was asked for", async function () {
    const deps = fake([testCase("smtp.a")]);
    expect(await runConformance(options({ reports: [] }), deps)).to.equal(0);
    expect(existsSync(path.join(dir, "reports", "mailconform.json"))).to.equal(true);
    expect(existsSync(path.join(dir, "reports", "junit.xml"))).to.equal(true);
  });

  it("a reporter that cannot write turns an all-passed run non-zero, and the others still write", async function () {
    await writeFile(path.join(dir, "blocker"), "a file, not a directory");
    const deps = fake([testCase("smtp.a")]);
    const code = await runConformance(
      options({
        reports: [
          { name: "junit", destination: path.join(dir, "blocker", "junit.xml") },
          { name: "json", destination: path.join(dir, "report.json") },
        ],
      }),
      deps,
    );
    expect(code).to.equal(1);
    expect(err).to.include('reporter "junit" failed while writing its report');
    expect((await report()).summary.passed).to.equal(1);
  });

  it("an invalid target file is a usage error (2) listing its errors", async function () {
    const deps = fake([testCase("smtp.a")]);
    deps.loadTarget = async () => {
      throw Object.assign(new Error("invalid target"), { errors: [{ file: "t.yaml", line: 2, col: 3, message: "port must be a number" }] });
    };
    expect(await runConformance(options({ target: { kind: "file", file: "t.yaml" } }), deps)).to.equal(2);
    expect(err).to.include("t.yaml:2:3: port must be a number");
  });

  it("an interrupt stops scheduling; unstarted tests are reported as not run", async function () {
    const controller = new AbortController();
    const deps = fake(["smtp.a", "smtp.b", "smtp.c"].map((id) => testCase(id)), {
      run: async (t) => {
        controller.abort();
        return passed(t);
      },
    });
    // Stopped without a signal (a caller's time budget): never a pass, and the report says so.
    expect(await runConformance(options({ signal: controller.signal }), deps)).to.equal(1);
    expect(deps.ran).to.deep.equal(["smtp.a"]);
    const r = await report();
    expect(r.tests[2].skipReason).to.equal("not run: the run was interrupted");
    expect(r.tests[2].skipKind).to.equal("not-run");
    expect(r.interrupted).to.deep.equal({ message: "interrupted: 2 of 3 tests not run" });
    expect(r.summary).to.deep.equal({ total: 3, passed: 1, failed: 0, skipped: 0, errors: 0, notRun: 2 });
    expect(out.trimEnd().split("\n").at(-1)).to.equal("1 passed, 0 failed, 0 skipped, 2 not run");
  });

  it("an interrupt by SIGINT exits 130 (SIGTERM 143) whatever the gate says, and marks every report", async function () {
    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      const controller = new AbortController();
      const deps = fake(["smtp.a", "smtp.b", "smtp.c"].map((id) => testCase(id)), {
        run: async (t) => {
          controller.abort(new RunInterrupt(signal));
          return passed(t);
        },
      });
      const reports: RunOptions["reports"] = [{ name: "json", destination: path.join(dir, "report.json") }, { name: "junit", destination: path.join(dir, "junit.xml") }, { name: "ctrf", destination: path.join(dir, "ctrf.json") }];
      out = "";
      expect(await runConformance(options({ signal: controller.signal, reports, gate: { failOn: "must", failOnRegression: false } }), deps)).to.equal(code);
      const r = await report();
      expect(r.exitCode).to.equal(code);
      expect(Object.keys(r).indexOf("interrupted"), "at the top, before the summary").to.be.below(Object.keys(r).indexOf("summary"));
      expect(r.interrupted).to.deep.equal({ signal, message: `interrupted by ${signal}: 2 of 3 tests not run` });
      expect(r.tests[1].skipReason).to.equal(`not run: the run was interrupted by ${signal}`);
      const junit = await readFile(path.join(dir, "junit.xml"), "utf8");
      expect(junit).to.match(new RegExp(`<testcase name="run-interrupted"[^>]*>\\s*<error message="interrupted by ${signal}: 2 of 3 tests not run" type="interrupted">`));
      const ctrf = JSON.parse(await readFile(path.join(dir, "ctrf.json"), "utf8"));
      expect(ctrf.results.summary).to.include({ passed: 1, skipped: 0, other: 2 });
      expect(ctrf.results.extra.interrupted.signal).to.equal(signal);
      expect(out).to.include(`Interrupted by ${signal}: 2 of 3 tests not run; exit code ${code}`);
    }
  });
});

// Every suite test as a mocha test against the bundled reference server, so
// `npm test` shows each of them: a suite the reference server does not pass
// fails here with the same message the console reporter would print. And
// every message a suite delivers carries the run token (read from the suites,
// and proven last: after the run's sweep, every user's account is as found).

import { after, before, describe, it, Suite, Test, type Context } from "mocha";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSuites } from "../runner/suite/load.ts";
import { runTest } from "../runner/exec/run-test.ts";
import { probeCapabilities } from "../runner/exec/capabilities.ts";
import { capabilitySkip } from "../runner/plan/capability-state.ts";
import { withImapNamespace } from "../runner/target/imap-namespace.ts";
import { startReferenceTarget } from "../cli/reference-target.ts";
import type { AcquiredTarget } from "../runner/run/target-source.ts";
import type { Protocol } from "../runner/model/ast.ts";
import type { Target } from "../runner/model/target.ts";
import type { SuiteFile } from "../runner/model/ast.ts";
import { sweepRun } from "../runner/cleanup/sweep.ts";
import { ImapLineClient } from "../runner/session/imap-line-client.ts";
import { messagesWithoutToken } from "./support/delivered-messages.ts";

const SUITES_DIR = fileURLToPath(new URL("../suites/", import.meta.url));
const STEP_TIMEOUT_MS = 10_000;

describe("suites against the reference server", function () {
  let acquired: AcquiredTarget | undefined;
  let target: Target;
  const capabilities = new Map<Protocol, Awaited<ReturnType<typeof probeCapabilities>>>();
  const runToken = randomBytes(4).toString("hex");

  let loadErrors: string[] = [];
  let loaded: SuiteFile[] = [];
  /** Per user, before any test: every mailbox with its message count. */
  let found: Record<string, string[]> = {};

  // Tests are added in this hook, not at import: suite loading is async and
  // mocha loads .ts specs through require(), where top-level await fails.
  before(async function () {
    const root = this.test?.parent;
    if (!root) throw new Error("no parent suite");
    const { suites, errors } = await loadSuites([SUITES_DIR]);
    loadErrors = errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`);
    loaded = suites;
    for (const suite of suites) {
      const group = Suite.create(root, path.relative(SUITES_DIR, suite.file));
      for (const test of suite.tests) {
        group.addTest(new Test(`${test.id} — ${test.title}`, async function (this: Context) {
          if (!target.endpoints[test.protocol]) this.skip();
          let probe = capabilities.get(test.protocol);
          if (!probe) {
            probe = await probeCapabilities(target, test.protocol, STEP_TIMEOUT_MS);
            capabilities.set(test.protocol, probe);
          }
          if (!probe.ok) throw new Error(`reference server ${test.protocol} unreachable: ${probe.reason}`);
          // As the runner does: an extension the server does not offer in the state the test
          // needs it (CONDSTORE, or LOGINDISABLED on loopback where plaintext login is allowed) is a skip.
          if (capabilitySkip(test, probe.states, target.endpoints[test.protocol]?.tls) !== undefined) this.skip();
          this.timeout((test.timeoutMs ?? STEP_TIMEOUT_MS) * 20);
          const imapProbe = capabilities.get("imap");
          const tested = withImapNamespace(target, imapProbe?.ok ? imapProbe.namespace : undefined);
          const result = await runTest(test, { target: tested, timeoutMs: test.timeoutMs ?? STEP_TIMEOUT_MS, runToken, emit: () => {} });
          if (result.status === "skipped") this.skip();
          if (result.status !== "passed") {
            const f = result.failure;
            const tail = result.transcript.slice(-12).map((l) => `  ${l.connection} ${l.dir}: ${l.text}`).join("\n");
            throw new Error(
              f
                ? `${f.position.file}:${f.position.line}:${f.position.col}: ${f.message}\n  expected: ${f.expected}\n  actual: ${f.actual}\n${tail}`
                : `status ${result.status}`,
            );
          }
        }));
      }
    }
    // Last, after every suite: the run's sweep leaves each account as it was before the first test.
    const account = Suite.create(root, "the account after every suite");
    account.addTest(new Test("the sweep by run token leaves every user's mailboxes and message counts as found", async function (this: Context) {
      this.timeout(60_000);
      const report = await sweepRun(target, runToken, { timeoutMs: STEP_TIMEOUT_MS, delivered: true });
      if (report.problems.length + report.notes.length > 0) throw new Error([...report.problems, ...report.notes].join("\n"));
      const after = await mailboxes(target);
      if (JSON.stringify(after) !== JSON.stringify(found)) throw new Error(`before the run: ${JSON.stringify(found)}\nafter it and its sweep: ${JSON.stringify(after)}`);
    }));
    acquired = await startReferenceTarget();
    target = acquired.target;
    found = await mailboxes(target);
  });

  after(async function () {
    await acquired?.release();
  });

  it("all suite files load without errors", function () {
    if (loadErrors.length > 0) throw new Error(loadErrors.join("\n"));
  });

  it("every message a suite sends for delivery carries the run token, so the after-run sweep finds it", function () {
    const missing = messagesWithoutToken(loaded);
    if (missing.length > 0) throw new Error(`no \${run.token} in (docs/language.md, "Every message a test delivers"):\n${missing.join("\n")}`);
  });
});

/** Per user: every mailbox (LIST "" "*") with its STATUS MESSAGES count, sorted. */
async function mailboxes(target: Target): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const user of target.users) {
    const c = await ImapLineClient.connect({ host: target.host, port: target.endpoints.imap!.port }, { timeoutMs: STEP_TIMEOUT_MS });
    try {
      const login = await c.run(`LOGIN "${user.login}" "${user.password}"`);
      if (login.status !== "OK") throw new Error(`${user.login} cannot log in: ${login.tagged}`);
      const names = (await c.run('LIST "" "*"')).untagged.map((l) => l.replace(/^\* LIST \([^)]*\) \S+ /, "")).sort();
      const counts: string[] = [];
      for (const name of names) counts.push(`${name} ${/MESSAGES (\d+)/.exec((await c.run(`STATUS ${name} (MESSAGES)`)).untagged.join(" "))?.[1] ?? "?"}`);
      out[user.login] = counts;
    } finally {
      c.close();
    }
  }
  return out;
}

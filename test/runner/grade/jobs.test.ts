// Several tests at once on one target (runner/grade/jobs.ts), over real
// sockets against the reference server: a target whose entry asks for
// `jobs: 2` and lists a second set of users runs its tests in two jobs, each
// with users of its own, and scores as with one; a job whose users fail the
// login pre-check is not given any tests; too few users, or no `jobs:`, keep
// one test at a time. And the bound: targets at once × jobs stays within the
// tests in flight the CPUs allow. The report grade scores from memory is the
// report.json it writes.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { gradeClass, type GradedTarget } from "../../../runner/grade/grade.ts";
import { jobsCap, jobUserSets, testsInFlight, TESTS_IN_FLIGHT_PER_CPU } from "../../../runner/grade/jobs.ts";
import { EVERYTHING } from "../../../runner/profile/profile.ts";
import { loadTargets } from "../../../runner/target/load.ts";
import type { TestCase } from "../../../runner/model/ast.ts";
import type { TargetUser } from "../../../runner/model/target.ts";
import { runCli } from "../../support/cli-process.ts";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SUITES = path.join(HERE, "fixtures", "three-protocols");
const PROFILE = { ...EVERYTHING, name: "three", title: "Three protocols", passMark: 60 };

const user = (login: string): TargetUser => ({ login, password: `${login}-pw`, address: `${login}@example.test` });
const needing = (n: number) => ({ usersNeeded: n }) as TestCase;

/** The reference server's configuration with a second pair of users, alice2 and bob2. */
function fourUsers() {
  const config = defaultConfig();
  for (const name of ["alice2", "bob2"]) config.users.push({ name, password: `plain:${name}-pw`, address: `${name}@example.test`, aliases: [] });
  return config;
}

describe("grade: tests at once on a target", function () {
  describe("how many (pure)", () => {
    it("bounds targets at once × jobs by the CPUs, never below one job", () => {
      expect(testsInFlight(2)).to.equal(2 * TESTS_IN_FLIGHT_PER_CPU);
      expect(testsInFlight(0)).to.equal(TESTS_IN_FLIGHT_PER_CPU);
      expect(jobsCap(4, 2)).to.equal(4);
      expect(jobsCap(3, 2)).to.equal(5);
      expect(jobsCap(40, 2)).to.equal(1);
      expect(jobsCap(1, 1)).to.equal(TESTS_IN_FLIGHT_PER_CPU);
    });

    it("gives a job per disjoint user set only when asked, within the cap", () => {
      const four = ["alice", "bob", "alice2", "bob2"].map(user);
      const sets = jobUserSets(four, [needing(1), needing(2)], 2, 8);
      expect(sets.map((s) => s.map((u) => u.login))).to.deep.equal([["alice", "bob"], ["alice2", "bob2"]]);
      // Not asked: one job, with every user as given.
      expect(jobUserSets(four, [needing(2)], undefined, 8)).to.deep.equal([four]);
      // Asked for more than the users allow, or than the cap: as many as fit.
      expect(jobUserSets(four, [needing(2)], 8, 8)).to.have.length(2);
      expect(jobUserSets(four, [needing(1)], 8, 3)).to.have.length(3);
      expect(jobUserSets(four, [needing(2)], 8, 1)).to.deep.equal([four]);
      // One user: one job whatever is asked.
      expect(jobUserSets([user("alice")], [needing(1)], 4, 8)).to.deep.equal([[user("alice")]]);
    });

    it("reads jobs: from a targets file, under defaults or per target, and refuses a count out of range", async () => {
      const dir = await mkdtemp(path.join(tmpdir(), "mailconform-grade-jobs-file-"));
      try {
        const file = path.join(dir, "class.yaml");
        await writeFile(file, "defaults: { host: h, domain: d, smtp: 25, jobs: 3 }\ntargets:\n  - { name: a }\n  - { name: b, jobs: 1 }\n");
        expect((await loadTargets(file)).map((t) => t.jobs)).to.deep.equal([3, 1]);
        await writeFile(file, "defaults: { host: h, domain: d, smtp: 25 }\ntargets:\n  - { name: a, jobs: 0 }\n");
        const error = await loadTargets(file).then(() => undefined, (e: Error) => e);
        expect(error?.message).to.match(/:3:\d+: .jobs. must be from 1 to 64, got 0/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("against the reference server", function () {
    this.timeout(120_000);
    let dir = "";
    let server: RunningServer;
    const graded = new Map<string, { target: GradedTarget; console: string; json: unknown }>();
    let one: GradedTarget;

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "mailconform-grade-jobs-"));
      server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data"), config: fourUsers() });
      const ports = `smtp: ${server.ports.smtp}, pop3: ${server.ports.pop3}, imap: ${server.ports.imap}`;
      const four = "users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }, { login: alice2, password: alice2-pw }, { login: bob2, password: bob2-pw }]";
      const wrong = "users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }, { login: alice2, password: alice2-pw }, { login: bob2, password: not-bob2s }]";
      const file = path.join(dir, "class.yaml");
      await writeFile(
        file,
        [
          "defaults: { host: 127.0.0.1, domain: example.test }",
          "targets:",
          `  - { name: two-jobs, ${ports}, jobs: 2, ${four} }`,
          `  - { name: one-job, ${ports}, ${four} }`,
          `  - { name: two-users, ${ports}, jobs: 2, users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }] }`,
          // Last: the server's penalty for the wrong password must not slow the others' logins.
          `  - { name: wrong-second-set, ${ports}, jobs: 2, ${wrong} }`,
          "",
        ].join("\n"),
      );
      const outDir = path.join(dir, "out");
      const out: string[] = [];
      const result = await gradeClass({
        targets: await loadTargets(file),
        profile: PROFILE,
        paths: [SUITES],
        outDir,
        cwd: dir,
        // One target at a time: the reference server penalises a wrong password (and the login pre-check is one login at a time).
        concurrency: 1,
        timeoutMs: 3000,
        targetBudgetMs: 60_000,
        cpus: 2,
        out: { write: (t: string) => out.push(t) },
        err: { write: (t: string) => out.push(t) },
      });
      expect(result.exitCode, out.join("")).to.equal(0);
      for (const target of result.graded) {
        const folder = path.join(outDir, path.dirname(target.grade.reportJson));
        graded.set(target.grade.name, {
          target,
          console: await readFile(path.join(folder, "console.txt"), "utf8"),
          json: JSON.parse(await readFile(path.join(outDir, target.grade.reportJson), "utf8")),
        });
      }
      one = graded.get("one-job")!.target;
    });

    after(async () => {
      await server?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const statuses = (g: GradedTarget) => g.report!.tests.map((t) => `${t.id} ${t.status}`);
    /** Whether any test's dialogue logged in as alice2 or bob2, the second set. */
    const secondSetUsed = (g: GradedTarget) => g.report!.tests.some((t) => t.transcript.some((l) => l.dir === "C" && /^(\S+ LOGIN|USER) "?(alice2|bob2)\b/.test(l.text)));

    it("runs a target asking for two jobs with two user sets, and scores it as with one", () => {
      const two = graded.get("two-jobs")!;
      expect(two.console).to.match(/2 tests at a time, each with users of its own \(alice\+bob, alice2\+bob2\)/);
      expect(statuses(two.target)).to.deep.equal(statuses(one));
      expect(two.target.grade.score).to.deep.equal(one.grade.score);
      expect(two.target.grade.status).to.equal("graded");
      expect(secondSetUsed(two.target)).to.equal(true);
    });

    it("keeps one test at a time without jobs:, and with users for one set only", () => {
      for (const name of ["one-job", "two-users"]) {
        const g = graded.get(name)!;
        expect(g.console, name).to.not.match(/tests at a time/);
        expect(secondSetUsed(g.target), name).to.equal(false);
        expect(g.target.grade.score, name).to.deep.equal(one.grade.score);
      }
    });

    it("gives no job to users whose login fails the pre-check, and does not hold it against the target", () => {
      const g = graded.get("wrong-second-set")!;
      expect(g.console).to.match(/login failed for bob2 \((IMAP|POP3)\).*: those users are not given a job of their own/);
      expect(g.console).to.not.match(/tests at a time/);
      expect(secondSetUsed(g.target)).to.equal(false);
      expect(g.target.grade.status).to.equal("graded");
      expect(g.target.grade.loginFailures).to.deep.equal([]);
      expect(g.target.grade.score).to.deep.equal(one.grade.score);
    });

    it("scores from the report it wrote: the one in memory is report.json's content", () => {
      for (const [name, g] of graded) expect(g.target.report, name).to.deep.equal(g.json);
    });

    it("mailconform grade --jobs gives the entries without jobs: that many", async () => {
      // A server of its own: the one above still penalises bob2's wrong password.
      const fresh = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data-cli"), config: fourUsers() });
      try {
        const file = path.join(dir, "cli.yaml");
        const users = "users: [{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }, { login: alice2, password: alice2-pw }, { login: bob2, password: bob2-pw }]";
        await writeFile(file, `targets:\n  - { name: flag, host: 127.0.0.1, domain: example.test, smtp: ${fresh.ports.smtp}, pop3: ${fresh.ports.pop3}, imap: ${fresh.ports.imap}, ${users} }\n`);
        const outcome = await runCli(["grade", SUITES, "--targets", file, "--profile", "full", "--out", "cli-out", "--timeout", "3000", "--jobs", "2"], dir, 60_000);
        expect(outcome.code, outcome.stderr).to.equal(0);
        expect(outcome.stdout).to.match(/up to 2 tests at once on a target/);
        const consoleText = await readFile(path.join(dir, "cli-out", "targets", "flag", "console.txt"), "utf8");
        expect(consoleText).to.match(/^mailconform: 2 tests at a time, each with users of its own \(alice\+bob, alice2\+bob2\)$/m);
      } finally {
        await fresh.close();
      }
    });
  });
});

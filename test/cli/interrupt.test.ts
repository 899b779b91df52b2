// A cancelled CI job must not pass (issue 13, items 9 and 11): `run` and
// `grade` spawned as real processes, signalled once their first result is
// printed (awaited on stdout, no sleeps), must write their reports marked
// interrupted — tests not run counted as not run, not skipped — and exit 130
// on SIGINT, 143 on SIGTERM. And `grade --fail-on-unreachable` turns a target
// nobody answers for into exit 3 (without it, 0: the class was graded).

import { expect } from "chai";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { startServer, type RunningServer } from "../../reference-server/serve.ts";
import { close, hang, send, startScriptedServer, type ScriptedServer } from "../support/scripted-server.ts";
import { REPO, runCli, type Outcome } from "../support/cli-process.ts";

/** Annotations off: the specs read the console's own lines. */
const QUIET_CI = { GITHUB_ACTIONS: "" };
const FIXTURE_SUITE = path.join(REPO, "test", "runner", "grade", "fixtures", "smtp-class.yaml");
/** The SMTP suites: hundreds of tests, so a signal sent after the first result always lands mid-run. */
const SMTP_SUITES = path.join(REPO, "suites", "smtp");
const SPAWN_TIMEOUT_MS = 40_000;
const addFormats = addFormatsModule as unknown as { default: (ajv: Ajv2020) => void };

/** Spawns the CLI; once stdout matches `when`, sends `signal` (once). */
async function cli(args: string[], cwd: string, interrupt?: { when: RegExp; signal: NodeJS.Signals }): Promise<Outcome> {
  let sent = false;
  const outcome = await runCli(args, cwd, SPAWN_TIMEOUT_MS, {
    env: QUIET_CI,
    onSpawn: (child, output) =>
      child.stdout!.on("data", () => {
        if (interrupt && !sent && interrupt.when.test(output.stdout)) {
          sent = true;
          child.kill(interrupt.signal);
        }
      }),
  });
  if (interrupt && !sent) throw new Error(`the signal was never sent: stdout did not match ${interrupt.when}\n${outcome.stdout}\n${outcome.stderr}`);
  return outcome;
}

/** The first test result the console prints (✓ passed, ✗ failed, ! error, - skipped, ~ deviation). */
const FIRST_RESULT = /^ {2}[✓✗!~-] \S+/m;

describe("cli: interrupted runs and grading exit codes", function () {
  this.timeout(60_000);
  let dir = "";
  let validate: ReturnType<Ajv2020["compile"]>;

  before(async () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    validate = ajv.compile(JSON.parse(await readFile(path.join(REPO, "runner", "schema", "report.schema.json"), "utf8")));
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-interrupt-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`run: ${signal} after the first result writes every report marked interrupted and exits ${code}`, async () => {
      const reports = ["--report-json", "r.json", "--report-junit", "j.xml", "--report-ctrf", "c.json", "--report-allure", "allure"];
      const { code: exit, stdout, stderr } = await cli(["run", SMTP_SUITES, ...reports], dir, { when: FIRST_RESULT, signal });
      expect(exit, stderr).to.equal(code);
      expect(stderr).to.include(`mailconform: ${signal}: stopping running tests, removing what the run left in the account and writing the reports`);
      const last = stdout.trimEnd().split("\n");
      expect(last.at(-1)).to.match(/^\d+ passed, 0 failed, \d+ skipped, \d+ not run$/);
      expect(last.at(-2)).to.match(new RegExp(`^Interrupted by ${signal}: \\d+ of \\d+ tests not run; exit code ${code}$`));

      const report = JSON.parse(await readFile(path.join(dir, "r.json"), "utf8"));
      expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
      expect(report.exitCode).to.equal(code);
      expect(Object.keys(report).slice(0, 6)).to.deep.equal(["version", "startedAt", "finishedAt", "durationMs", "exitCode", "interrupted"]);
      const { total, passed, failed, skipped, errors, notRun } = report.summary;
      expect(notRun).to.be.above(100);
      expect(passed + failed + skipped + errors + notRun).to.equal(total);
      expect(report.interrupted).to.deep.equal({ signal, message: `interrupted by ${signal}: ${notRun} of ${total} tests not run` });
      const unrun = report.tests.filter((t: { skipKind?: string }) => t.skipKind === "not-run" || t.skipKind === "aborted");
      expect(unrun).to.have.length(notRun);
      expect(unrun.filter((t: { skipKind: string }) => t.skipKind === "not-run")[0].skipReason).to.equal(`not run: the run was interrupted by ${signal}`);

      const junit = await readFile(path.join(dir, "j.xml"), "utf8");
      // The first suite is the run's own: an error, so CI shows the job red.
      expect(junit.split("\n")[2]).to.equal('  <testsuite name="mailconform: run" tests="1" failures="0" errors="1" skipped="0" time="0.000">');
      expect(junit).to.include(`<error message="interrupted by ${signal}: ${notRun} of ${total} tests not run" type="interrupted">`);
      expect(junit).to.include(`<skipped message="not run: the run was interrupted by ${signal}"/>`);

      const ctrf = JSON.parse(await readFile(path.join(dir, "c.json"), "utf8"));
      expect(ctrf.results.summary.other).to.equal(notRun);
      expect(ctrf.results.extra).to.deep.include({ exitCode: code });
      expect(ctrf.results.extra.interrupted.signal).to.equal(signal);

      const allure = await Promise.all((await readdir(path.join(dir, "allure"))).filter((f) => f.endsWith("-result.json")).map(async (f) => JSON.parse(await readFile(path.join(dir, "allure", f), "utf8"))));
      const mark = allure.filter((r) => r.fullName === "mailconform: interrupted by " + signal);
      expect(mark, "a broken Allure result for the interrupt").to.have.length(1);
      expect(mark[0].status).to.equal("broken");
      expect(allure.filter((r) => r.labels.some((l: { name: string; value: string }) => l.name === "tag" && l.value === "not-run"))).to.have.length(notRun);
    });
  }

  it("run: a second SIGINT during the clean-up skips it, says what may be left, and still writes the report (exit 130)", async () => {
    // SMTP on the reference server; the account sweep's IMAP is a server that greets and then never answers,
    // so the first signal's sweep is still waiting when the second comes.
    const server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
    const mute = await startScriptedServer([send("* OK ready\r\n"), hang()]);
    try {
      const target = path.join(dir, "target.yaml");
      const users = "[{ login: alice, password: alice-pw, address: alice@example.test }, { login: bob, password: bob-pw, address: bob@example.test }]";
      await writeFile(target, `name: split\nhost: 127.0.0.1\ndomain: example.test\nsmtp: ${server.ports.smtp}\nimap: ${mute.port}\nusers: ${users}\n`);
      let between = "";
      let signals = 0;
      const run = await runCli(["run", SMTP_SUITES, "--target", target, "--report-json", "r.json"], dir, SPAWN_TIMEOUT_MS, {
        env: QUIET_CI,
        onSpawn: (child, output) => {
          child.stdout!.on("data", () => {
            if (signals === 0 && FIRST_RESULT.test(output.stdout)) (signals++, child.kill("SIGINT"));
          });
          // The sweep has connected to the mute IMAP server: it is waiting there now.
          const poll = setInterval(() => {
            if (signals === 1 && mute.connections() > 0) {
              signals++;
              between = output.stderr;
              child.kill("SIGINT");
            }
          }, 20);
          child.on("close", () => clearInterval(poll));
        },
      });
      const outcome = { ...run, between };
      expect(outcome.code, outcome.stderr).to.equal(130);
      expect(outcome.between).not.to.include("cleanup skipped");
      expect(outcome.stderr).to.include("mailconform: SIGINT again: skipping the clean-up; the reports are still written (Ctrl-C once more to kill)");
      expect(outcome.stderr).to.match(/mailconform: cleanup skipped: mailboxes named mc-[a-z0-9]+-… and messages carrying [a-z0-9]+ may be left in the accounts of alice, bob\n/);
      const report = JSON.parse(await readFile(path.join(dir, "r.json"), "utf8"));
      expect(report.exitCode).to.equal(130);
      expect(report.interrupted.signal).to.equal("SIGINT");
    } finally {
      await Promise.all([server.close(), mute.close()]);
    }
  });

  describe("grade", function () {
    const servers: RunningServer[] = [];
    let down: ScriptedServer;
    before(async () => {
      // Closes every connection before a greeting: the capability probe fails, the target is unreachable.
      down = await startScriptedServer([close()]);
    });
    after(async () => {
      await Promise.all([...servers.splice(0).map((s) => s.close()), down.close()]);
    });

    async function targetsFile(entries: string[]): Promise<string> {
      const file = path.join(dir, "class.yaml");
      const users = "[{ login: alice, password: alice-pw }, { login: bob, password: bob-pw }]";
      await writeFile(file, [`defaults: { host: 127.0.0.1, domain: example.test, users: ${users} }`, "targets:", ...entries, ""].join("\n"));
      return file;
    }

    it("exits 0 with a target nobody answers for, and 3 with --fail-on-unreachable", async () => {
      const file = await targetsFile([`  - { name: down, smtp: ${down.port} }`]);
      const args = ["grade", FIXTURE_SUITE, "--targets", file, "--profile", "smtp-basics", "--out", "out", "--timeout", "2000"];
      const graded = await cli(args, dir);
      expect(graded.code, graded.stderr).to.equal(0);
      expect(graded.stdout).to.match(/✗ down +\S+ +unreachable \(smtp\)/);
      const strict = await cli([...args, "--fail-on-unreachable"], dir);
      expect(strict.code, strict.stderr).to.equal(3);
      expect(strict.stdout).to.include("1 targets unreachable (--fail-on-unreachable); exit code 3");
      const board = JSON.parse(await readFile(path.join(dir, "out", "scoreboard.json"), "utf8"));
      expect(board.targets[0].status).to.equal("unreachable");
    });

    it("SIGINT while a target runs: the scoreboard is written, the unfinished targets are incomplete, exit 130", async () => {
      const server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "data") });
      servers.push(server);
      // One at a time: the unreachable target finishes first and prints its line; the signal then lands in the second's run.
      const file = await targetsFile([
        `  - { name: a-down, smtp: ${down.port} }`,
        `  - { name: b-running, smtp: ${server.ports.smtp} }`,
        `  - { name: c-waiting, smtp: ${server.ports.smtp} }`,
      ]);
      const { code, stdout, stderr } = await cli(["grade", SMTP_SUITES, "--targets", file, "--profile", "full", "--out", "out", "--concurrency", "1", "--timeout", "2000"], dir, {
        when: /a-down .*unreachable/,
        signal: "SIGINT",
      });
      expect(code, stderr + stdout).to.equal(130);
      expect(stdout).to.include("Interrupted: 2 targets incomplete; exit code 130");
      const board = JSON.parse(await readFile(path.join(dir, "out", "scoreboard.json"), "utf8"));
      expect(board.targets.map((t: { name: string; status: string }) => `${t.name} ${t.status}`)).to.deep.equal(["a-down unreachable", "b-running incomplete", "c-waiting incomplete"]);
      expect(board.targets[1].notes).to.include("not finished: the grading was interrupted");
    });
  });
});

// The `mailconform` command as users and CI scripts call it: spawned with
// node, checked by exit code and message. Each spawn has a timeout.

import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { AllureReporter } from "../../runner/report/allure.ts";
import { sampleEvents } from "../runner/report/sample-run.ts";
import { findAll, parseXml } from "../runner/report/xml-check.ts";
import { BIN, REPO, runCli, type Outcome } from "../support/cli-process.ts";

const SPAWN_TIMEOUT_MS = 30_000;

function cli(args: string[], cwd = REPO): Promise<Outcome> {
  return runCli(args, cwd, SPAWN_TIMEOUT_MS);
}

/** A port nothing listens on: bind an ephemeral one, then release it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Specs that need another engineer's module name it, and are pending until it exists. */
function needs(this: Mocha.Context, ...modules: string[]): void {
  const missing = modules.filter((m) => !existsSync(path.join(REPO, m)));
  if (missing.length > 0) this.skip();
}

describe("cli", function () {
  this.timeout(SPAWN_TIMEOUT_MS + 5_000);

  describe("usage", function () {
    it("--help exits 0 and names every run flag the issue requires", async function () {
      const { code, stdout } = await cli(["run", "--help"]);
      expect(code).to.equal(0);
      for (const flag of ["--target", "--host", "--smtp", "--pop3", "--imap", "--smtps", "--pop3s", "--imaps", "--user", "--domain",
        "--insecure", "--grep", "--tag", "--jobs", "--bail", "--list", "--shard", "--report-json", "--report-junit",
        "--report-allure", "--report-events", "--timeout"]) {
        expect(stdout, flag).to.match(new RegExp(`${flag}\\b`));
      }
    });

    it("--version exits 0 with the package version", async function () {
      const { code, stdout } = await cli(["--version"]);
      expect(code).to.equal(0);
      expect(stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
    });

    const usageErrors: [string[], RegExp][] = [
      [["run", "--bogus"], /unknown option '--bogus'/],
      [["run", "--smtp", "abc"], /--smtp <port>.*'abc' is invalid\. expected a TCP port/],
      [["run", "--smtp", "70000"], /expected a TCP port/],
      [["run", "--jobs", "0"], /--jobs <n>.*expected a whole number/],
      [["run", "--timeout", "-5"], /--timeout/],
      [["run", "--shard", "5/4"], /i must be between 1 and n/],
      [["run", "--shard", "half"], /expected i\/n/],
      [["run", "--user", "alice"], /expected LOGIN:PASSWORD/],
      [["run", "--target", "t.yaml", "--host", "h"], /--target cannot be combined with --host/],
      [["run", "--host", "127.0.0.1"], /give at least one port/],
      [["frobnicate"], /unknown command 'frobnicate'/],
      [[], /Usage: mailconform/],
      [["report"], /Usage: mailconform report/],
    ];
    for (const [args, message] of usageErrors) {
      it(`\`mailconform ${args.join(" ")}\` exits 2 with a clear message`, async function () {
        const { code, stderr } = await cli(args);
        expect(stderr).to.match(message);
        expect(code).to.equal(2);
      });
    }

    it("report html without results exits 2 and says how to make them", async function () {
      const dir = await mkdtemp(path.join(tmpdir(), "mailconform-cli-"));
      try {
        const { code, stderr } = await cli(["report", "html", "--allure", path.join(dir, "none")]);
        expect(code).to.equal(2);
        expect(stderr).to.include("--report-allure");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("report html", function () {
    let dir = "";
    beforeEach(async function () {
      dir = await mkdtemp(path.join(tmpdir(), "mailconform-html-"));
    });
    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("generates the Allure HTML report offline from our results", async function () {
      const results = path.join(dir, "results");
      const reporter = new AllureReporter({ dir: results, cwd: REPO });
      for (const e of sampleEvents()) reporter.onEvent(e);
      const out = path.join(dir, "html");
      const { code, stdout, stderr } = await cli(["report", "html", "--allure", results, "--out", out]);
      expect(code, stdout + stderr).to.equal(0);
      expect(existsSync(path.join(out, "index.html"))).to.equal(true);
      expect(stdout).to.include(`HTML report: ${out}/index.html`);
      // Allure's page loads Google Analytics from another host; ours must contact none.
      const index = await readFile(path.join(out, "index.html"), "utf8");
      expect(index).to.match(/<script src="assets\/index-[^"]+\.js"><\/script>/);
      expect(index).not.to.match(/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
      expect(index).not.to.match(/gtag|googletagmanager/);
    });
  });

  describe("serve", function () {
    it("starts the reference server on --port-base, prints its ports, stops on SIGINT with 0", async function () {
      needs.call(this, "reference-server/serve.ts");
      const dir = await mkdtemp(path.join(tmpdir(), "mailconform-serve-"));
      // Below the ephemeral range (32768+) and away from the interop lanes (3000, 23000, 24000).
      const base = 25_000 + Math.floor(Math.random() * 5_000);
      const child = spawn(process.execPath, [BIN, "serve", "--port-base", String(base), "--data", path.join(dir, "data")]);
      try {
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d));
        child.stderr.on("data", (d: Buffer) => (stderr += d));
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ports printed within 15 s: ${stdout}`)), 15_000);
          child.stdout.on("data", () => {
            if (/users /.test(stdout)) {
              clearTimeout(timer);
              resolve();
            }
          });
          child.on("exit", (c) => reject(new Error(`serve exited early with ${c}: ${stdout}`)));
        });
        expect(stdout).to.include(`127.0.0.1:${base + 25}`).and.to.include(`127.0.0.1:${base + 110}`);
        const exited = new Promise<string>((resolve) => child.on("exit", (c, signal) => resolve(signal ? `signal ${signal}` : `code ${c}`)));
        child.kill("SIGINT");
        const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running after 10 s"), 10_000))]);
        expect(outcome, `stdout:\n${stdout}\nstderr:\n${stderr}`).to.equal("code 0");
      } finally {
        child.kill("SIGKILL");
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("with the suite loader and engine", function () {
    let dir = "";
    beforeEach(async function () {
      dir = await mkdtemp(path.join(tmpdir(), "mailconform-cli-"));
    });
    afterEach(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it("validate on a malformed suite exits 2 with file:line:col", async function () {
      needs.call(this, "runner/suite/validate.ts");
      const bad = path.join(dir, "bad.yaml");
      await writeFile(bad, "protocol: smtp\ntitle: Broken\ntests:\n  - id: smtp.bad\n    titel: typo\n");
      const { code, stderr, stdout } = await cli(["validate", bad]);
      expect(code).to.equal(2);
      expect(stderr + stdout).to.match(/bad\.yaml:\d+:\d+/);
    });

    it("validate on the bundled suites exits 0", async function () {
      needs.call(this, "runner/suite/validate.ts");
      const { code, stderr } = await cli(["validate"]);
      expect(code, stderr).to.equal(0);
    });

    it("run against a closed port exits 3 and still writes the reports", async function () {
      needs.call(this, "runner/suite/load.ts", "runner/target/load.ts", "runner/exec/capabilities.ts", "runner/exec/run-test.ts");
      const port = await closedPort();
      const json = path.join(dir, "r.json");
      const { code, stdout, stderr } = await cli(["run", "--host", "127.0.0.1", "--smtp", String(port), "--grep", "^smtp\\.", "--timeout", "2000", "--report-json", json], dir);
      expect(code, stdout + stderr).to.equal(3);
      expect(existsSync(json)).to.equal(true);
      // Every test is accounted for: the unreachable ones are errors, after the fixed head CI reads.
      expect(stdout.trimEnd().split("\n").at(-1)).to.match(/^0 passed, 0 failed, \d+ skipped, \d+ errors$/);
    });

    it("run with a selection that matches nothing exits 4", async function () {
      needs.call(this, "runner/suite/load.ts");
      const { code, stderr } = await cli(["run", "--grep", "^no-such-test-id$"], dir);
      expect(code).to.equal(4);
      expect(stderr).to.include("no test matched");
    });

    it("list prints ids one a line, sorted, honouring --shard", async function () {
      needs.call(this, "runner/suite/load.ts");
      const all = await cli(["list"]);
      expect(all.code, all.stderr).to.equal(0);
      const ids = all.stdout.trimEnd().split("\n");
      expect(ids).to.deep.equal([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      const halves = await Promise.all([cli(["list", "--shard", "1/2"]), cli(["run", "--list", "--shard", "2/2"])]);
      expect(halves.flatMap((h) => h.stdout.trimEnd().split("\n").filter(Boolean))).to.deep.equal(ids);
    });

    it("run with no target tests the bundled reference server and writes the default reports", async function () {
      needs.call(this, "runner/suite/load.ts", "runner/exec/run-test.ts", "runner/exec/capabilities.ts", "reference-server/serve.ts");
      // One suite file keeps this quick; test/suites.test.ts runs them all.
      const { code, stdout, stderr } = await cli(["run", path.join(REPO, "suites", "smtp", "greeting-ehlo.yaml")], dir);
      expect([0, 1], stdout + stderr).to.include(code);
      expect(stdout.trimEnd().split("\n").at(-1)).to.match(/^\d+ passed, \d+ failed, \d+ skipped$/);
      expect(existsSync(path.join(dir, "reports", "mailconform.json"))).to.equal(true);
      expect(existsSync(path.join(dir, "reports", "junit.xml"))).to.equal(true);
      const html = await readFile(path.join(dir, "reports", "mailconform.html"), "utf8");
      expect(html).to.include('id="test-smtp.greeting"').and.to.include("S: 220 ");
    });

    it("a failing test against the reference server: exit 1, Hurl text, and reports that validate", async function () {
      needs.call(this, "runner/suite/load.ts", "runner/exec/run-test.ts", "runner/exec/capabilities.ts", "reference-server/serve.ts");
      await writeFile(
        path.join(dir, "wrong.yaml"),
        [
          "protocol: smtp",
          "title: Deliberately wrong",
          "tests:",
          "  - id: smtp.wrong.noop",
          "    title: NOOP is expected to answer 500 (wrong on purpose)",
          '    refs: ["RFC 5321 §4.1.1.9"]',
          "    level: MUST",
          "    steps:",
          "      - expect: 220",
          "      - send: NOOP",
          "      - expect: 500",
          '    quote: It specifies no action other than that the receiver send a "250 OK" reply.',
          "  - id: smtp.wrong.cap",
          "    title: Needs a capability no server has",
          '    refs: ["RFC 5321 §2.2"]',
          "    level: MAY",
          "    requires: [XNOSUCHCAP]",
          "    steps:",
          "      - expect: 220",
          "    quote: An SMTP session is initiated when a client opens a connection to a server and the server responds with an opening message.",
          "",
        ].join("\n"),
      );
      const args = ["run", "wrong.yaml", "--jobs", "2", "--report-json", "r.json", "--report-junit", "j.xml", "--report-events", "e.jsonl"];
      const { code, stdout, stderr } = await cli(args, dir);
      expect(code, stdout + stderr).to.equal(1);
      expect(stdout).to.include("--> wrong.yaml:11:");
      expect(stdout).to.match(/expected: 500\n {2}actual: {3}250/);
      expect(stdout).to.include("command:  NOOP");
      expect(stdout.trimEnd().split("\n").at(-1)).to.equal("0 passed, 1 failed, 1 skipped");

      const ajv = new Ajv2020({ allErrors: true, strict: true });
      addFormatsModule.default(ajv);
      const validate = ajv.compile(JSON.parse(await readFile(path.join(REPO, "runner/schema/report.schema.json"), "utf8")));
      const report = JSON.parse(await readFile(path.join(dir, "r.json"), "utf8"));
      expect(validate(report), JSON.stringify(validate.errors)).to.equal(true);
      expect(report.tests.map((t: { id: string; status: string }) => [t.id, t.status])).to.deep.equal([
        ["smtp.wrong.cap", "skipped"],
        ["smtp.wrong.noop", "failed"],
      ]);
      expect(report.tests[0].skipReason).to.equal("server does not advertise XNOSUCHCAP");
      expect(JSON.stringify(report)).not.to.include("alice-pw");

      const junit = parseXml(await readFile(path.join(dir, "j.xml"), "utf8"));
      expect(findAll(junit, "failure").map((f) => f.attrs.type)).to.deep.equal(["assertion"]);
      expect(findAll(junit, "skipped").map((f) => f.attrs.message)).to.deep.equal(["server does not advertise XNOSUCHCAP"]);

      const events = (await readFile(path.join(dir, "e.jsonl"), "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l));
      expect(events[0].type).to.equal("run-begin");
      expect(events.at(-1)).to.include({ type: "run-end", exitCode: 1 });
      expect(events.some((e) => e.type === "wire" && e.id === "smtp.wrong.noop")).to.equal(true);
    });
  });
});

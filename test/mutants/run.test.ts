// `npm run mutants` as CI calls it, on the fixture corpus: real work copies,
// real suite runs of the POP3 suite against the bundled server in them. One
// mutant the suite kills, one it cannot see, one that breaks loading; a
// corpus error; a baseline over its time limit; Ctrl-C. Each spawn has a timeout.

import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = "test/mutants/fixtures";
const SPAWN_TIMEOUT_MS = 120_000;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Outcome> } {
  const child = spawn(process.execPath, ["--import=tsx", "mutants/run.ts", ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d));
  child.stderr!.on("data", (d: Buffer) => (stderr += d));
  const done = new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`mutants ${args.join(" ")} did not exit within ${SPAWN_TIMEOUT_MS} ms\n${stdout}\n${stderr}`));
    }, SPAWN_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

const mutants = (...args: string[]) => start(args).done;

describe("mutants: npm run mutants", function () {
  this.timeout(SPAWN_TIMEOUT_MS + 10_000);
  let scratch: string;

  beforeEach(function () {
    scratch = mkdtempSync(path.join(os.tmpdir(), "mutants-spec-"));
  });
  afterEach(function () {
    rmSync(scratch, { recursive: true, force: true });
  });

  it("--check names a corpus error by file:line and id, and exits 2", async function () {
    const { code, stderr } = await mutants("--check", "--corpus", `${FIXTURES}/invalid`);
    expect(code).to.equal(2);
    expect(stderr).to.include(
      `${FIXTURES}/invalid/pop3.yaml:13: pop3.fixture.bad-find: find not found in reference-server/pop3/commands/stat.ts`,
    );
  });

  it("kills a mutant the suite sees, lets one it cannot see survive, and reports one that breaks loading", async function () {
    const json = path.join(scratch, "mutants.json");
    const { code, stdout } = await mutants("--corpus", `${FIXTURES}/run`, "--jobs", "2", "--min-score", "50", "--json", json);
    expect(stdout, stdout).to.match(/^baseline pop3: \d+ passed/m);
    expect(stdout, stdout).to.match(/^killed {3}pop3\.fixture\.stat-count-plus-one {2}by pop3\.\S+/m);
    expect(stdout, stdout).to.include("SURVIVED pop3.fixture.comment-only  — a comment reworded");
    expect(stdout, stdout).to.match(/^broken {3}pop3\.fixture\.breaks-loading .*could not load reference-server\/pop3\/commands\/stat\.ts: Transform failed/m);
    expect(stdout, stdout).to.include("pop3: 1 of 2 killed (50.0 %); 1 broken");
    // The score reaches --min-score 50, but a broken mutant is an error of the corpus: exit 1.
    expect(code).to.equal(1);
    const report = JSON.parse(readFileSync(json, "utf8")) as { total: { score: number }; mutants: { id: string; status: string; killedBy: string[] }[] };
    expect(report.total.score).to.equal(50);
    expect(report.mutants.map((m) => [m.id, m.status])).to.deep.equal([
      ["pop3.fixture.stat-count-plus-one", "killed"],
      ["pop3.fixture.comment-only", "survived"],
      ["pop3.fixture.breaks-loading", "broken"],
    ]);
    expect(report.mutants[0]!.killedBy.length).to.be.greaterThan(0);
    expect(report.mutants[0]!.killedBy.every((id) => id.startsWith("pop3."))).to.equal(true);
  });

  it("aborts with exit 3 when the unmutated suite gives no verdict in the copy (here: over --timeout)", async function () {
    const { code, stderr } = await mutants("--corpus", `${FIXTURES}/run`, "--timeout", "1");
    expect(stderr).to.include("the unmutated suite does not pass in the work copy");
    expect(stderr).to.include("pop3: no verdict within 1 s");
    expect(code).to.equal(3);
  });

  it("on Ctrl-C stops the runs, removes its work copies and exits 130", async function () {
    // A temporary folder of its own, so that only this run's copies are looked for.
    const { child, done } = start(["--corpus", `${FIXTURES}/run`, "--jobs", "2"], { TMPDIR: scratch });
    const ours = () => readdirSync(scratch).filter((f) => f.startsWith("mailconform-"));
    const deadline = Date.now() + 30_000;
    while (ours().filter((f) => f.startsWith("mailconform-mutants-")).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(ours().filter((f) => f.startsWith("mailconform-mutants-"))).to.have.length(2);
    // Let the baseline runs start.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill("SIGINT");
    const { code, stderr } = await done;
    expect(stderr).to.include("interrupted");
    expect(code).to.equal(130);
    expect(existsSync(scratch) && ours()).to.deep.equal([]);
  });
});

// -v and --quiet on real sockets: a run of two SMTP tests against the bundled
// reference server on 127.0.0.1 prints each dialogue live (C:/S: lines, the
// TLS note, the AUTH secret redacted) or only the summary; and a target whose
// port is closed gets one progress line per cause, not one per test.

import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startReferenceTarget } from "../../../cli/reference-target.ts";
import type { Verbosity } from "../../../runner/report/console.ts";
import { runConformance, type RunOptions } from "../../../runner/run/run.ts";

const SUITES = fileURLToPath(new URL("../../../suites/smtp/", import.meta.url));

describe("report/console: -v, --quiet and a target-level failure", function () {
  this.timeout(30_000);
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-verbosity-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(verbosity: Verbosity, over: Partial<RunOptions> = {}): Promise<{ code: number; out: string; login: string; password: string }> {
    let out = "";
    let login = "";
    let password = "";
    const code = await runConformance({
      paths: [path.join(SUITES, "auth.yaml")],
      target: {
        kind: "started",
        start: async () => {
          const acquired = await startReferenceTarget();
          ({ login, password } = acquired.target.users[0]!);
          return acquired;
        },
      },
      grep: "^smtp\\.auth\\.(plain-success|login-success)$",
      tags: [],
      jobs: 1,
      bail: false,
      list: false,
      timeoutMs: 10_000,
      reports: [{ name: "json", destination: path.join(dir, "report.json") }],
      verbosity,
      cwd: dir,
      out: { write: (t: string) => (out += t) },
      err: { write: () => {} },
      ...over,
    });
    return { code, out, login, password };
  }

  it("-v prints each test's dialogue under its heading as it runs, with the TLS note and no secret", async () => {
    const { code, out, login, password } = await run("verbose");
    expect(code).to.equal(0);
    const lines = out.split("\n");
    const heading = lines.findIndex((l) => l.startsWith("  > smtp.auth.plain-success: AUTH PLAIN"));
    const done = lines.findIndex((l) => l.startsWith("  ✓ smtp.auth.plain-success"));
    expect(heading, out).to.be.greaterThan(-1);
    expect(done).to.be.greaterThan(heading);
    const dialogue = lines.slice(heading + 1, done).join("\n");
    expect(dialogue).to.match(/ms {2}S: 220 /);
    expect(dialogue).to.match(/ms {2}C: EHLO client\.example/);
    expect(dialogue).to.match(/ms {2}C: STARTTLS/);
    expect(dialogue).to.match(/ms {2}\* TLS/);
    expect(dialogue).to.match(/ms {2}C: AUTH PLAIN \*\*\*$/m);
    expect(dialogue).to.match(/ms {2}S: 235/);
    expect(out).to.include("  > smtp.auth.login-success");
    expect(password.length).to.be.greaterThan(0);
    expect(out).not.to.include(password);
    expect(out).not.to.include(Buffer.from(`\0${login}\0${password}`).toString("base64"));
    expect(out.trimEnd().split("\n").at(-1)).to.match(/^2 passed, 0 failed, 0 skipped/);
  });

  it("--quiet prints neither progress lines nor the table, only the summary when all passed", async () => {
    const { code, out } = await run("quiet");
    expect(code).to.equal(0);
    expect(out).not.to.include("Running");
    expect(out).not.to.include("✓");
    expect(out).not.to.include("protocol  total");
    expect(out.trimEnd().split("\n").at(-1)).to.match(/^2 passed, 0 failed, 0 skipped/);
  });

  it("a closed port: one progress line and one note for every test it stops, one block at the end", async () => {
    // A port that was just listening and is now closed: connections to it are refused.
    const { createServer } = await import("node:net");
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { code, out } = await run("normal", {
      grep: "^smtp\\.",
      target: {
        kind: "started",
        start: async () => {
          const acquired = await startReferenceTarget();
          const target = { ...acquired.target, endpoints: { smtp: { port, tls: "none" as const } } };
          return { ...acquired, target };
        },
      },
    });
    expect(code).to.equal(3);
    const refused = out.split("\n").filter((l) => l.includes(`127.0.0.1:${port} unreachable`));
    // The first test's progress line and the closing block's heading: nothing for the other tests.
    expect(refused, out).to.have.length(2);
    expect(out).to.include("… more tests cannot start for the same reason");
    expect(out).to.match(/ERROR \d+ tests could not start: smtp server at 127\.0\.0\.1:\d+ unreachable/);
    expect(out).to.match(/tests: {4}(smtp\.[a-z0-9.-]+, ){10}… and \d+ more/);
  });
});

// The package as shipped: what `npm pack` puts in it (compiled dist/, suites,
// profiles, schemas, docs; no tests, bench, soak or TypeScript sources), the
// schema modelines resolving inside it, and a killed `mailconform serve`
// leaving no server listening, started directly or through npx.
// The full check (pack, install into an empty folder, every suite from
// there) is .ci/package-check: a minute and more, too long for mocha.

import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(REPO, "bin", "mailconform.js");
const START_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** Resolves with whether something accepts a connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(2_000, () => socket.destroy(new Error("timeout")));
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Waits until nothing accepts on `port` (the server is gone, not just its launcher); fails after CLOSE_TIMEOUT_MS. */
async function closes(port: number): Promise<void> {
  const deadline = Date.now() + CLOSE_TIMEOUT_MS;
  while (await listening(port)) {
    if (Date.now() > deadline) throw new Error(`127.0.0.1:${port} still accepts connections ${CLOSE_TIMEOUT_MS} ms after the kill: an orphaned server`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `mailconform serve` (argv before "serve" picks how) on a random port base; resolves with its SMTP port once the ports are printed. */
async function serve(command: string, args: string[], dataDir: string): Promise<{ child: ChildProcess; smtp: number }> {
  // Below the ephemeral range (32768+) and away from the interop lanes (3000, 23000, 24000).
  const base = 25_000 + Math.floor(Math.random() * 5_000);
  // Its own process group: afterEach kills the group, so a server orphaned by a regression is ended too, not left listening.
  const child = spawn(command, [...args, "serve", "--port-base", String(base), "--data", dataDir], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d));
  child.stderr!.on("data", (d: Buffer) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ports printed within ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
    child.stdout!.on("data", () => {
      if (/^users /m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early (${signal ?? code}):\n${out}`));
    });
  });
  const smtp = base + 25;
  expect(out).to.include(`127.0.0.1:${smtp}`);
  return { child, smtp };
}

describe("package", function () {
  describe("contents (npm pack --dry-run)", function () {
    this.timeout(60_000);
    let files: string[] = [];

    before(function () {
      // --ignore-scripts: the list, not a build; dist/ is listed when present, so the dist/ checks need a built tree.
      const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, encoding: "utf8", timeout: 50_000 });
      expect(r.status, r.stderr).to.equal(0);
      files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    });

    it("carries the bin, suites, profiles, schemas and docs, and no tests, bench, soak or TypeScript sources", function () {
      for (const f of ["bin/mailconform.js", "package.json", "README.md", "docs/language.md", "profiles/full.yaml", "runner/schema/suite.schema.json",
        "runner/schema/report.schema.json", "runner/schema/target.schema.json", "runner/schema/profile.schema.json", "suites/smtp/transaction.yaml"]) {
        expect(files, f).to.include(f);
      }
      const unwanted = files.filter((f) => /^(test|bench|soak|interop|\.ci)\//.test(f) || (f.endsWith(".ts") && !f.endsWith(".d.ts")) || f.startsWith("node_modules/"));
      expect(unwanted).to.deep.equal([]);
    });

    it("carries the compiled CLI and the data files it reads next to itself", function () {
      if (!existsSync(path.join(REPO, "dist", "cli", "main.js"))) this.skip(); // an unbuilt checkout: .ci/package-check builds and checks
      for (const f of ["dist/cli/main.js", "dist/reference-server/serve.js", "dist/reference-server/config/config.schema.json"]) expect(files, f).to.include(f);
    });

    it("every suite's schema modeline names a schema file the package carries", function () {
      const suites = files.filter((f) => f.startsWith("suites/") && f.endsWith(".yaml"));
      expect(suites.length).to.be.greaterThan(20);
      for (const suite of suites) {
        const first = readFileSync(path.join(REPO, suite), "utf8").split("\n", 1)[0]!;
        const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
        if (m === null) continue;
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(suite), m[1]!));
        expect(files, `${suite}: $schema=${m[1]}`).to.include(target);
      }
    });

    it("the schemas resolve through the package's own name (the path the docs give outside the repository)", function () {
      // require.resolve: mocha loads spec files through tsx's CommonJS hook, where import.meta.resolve is missing.
      const resolved = createRequire(import.meta.url).resolve("mailconform/schema/suite.schema.json");
      expect(resolved).to.equal(path.join(REPO, "runner", "schema", "suite.schema.json"));
      for (const f of files.filter((f) => f.startsWith("runner/schema/"))) {
        const schema = JSON.parse(readFileSync(path.join(REPO, f), "utf8")) as { $id?: string };
        expect(schema.$id, `${f}: a placeholder $id claims a URL nobody serves`).to.equal(undefined);
      }
    });
  });

  describe("a killed `mailconform serve` leaves no server listening", function () {
    this.timeout(START_TIMEOUT_MS + CLOSE_TIMEOUT_MS + 10_000);
    let dir = "";
    let child: ChildProcess | undefined;

    beforeEach(async function () {
      dir = await mkdtemp(path.join(tmpdir(), "mailconform-package-"));
    });
    afterEach(async function () {
      if (child?.pid !== undefined) {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // The group is gone: nothing was left behind.
        }
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      child = undefined;
      await rm(dir, { recursive: true, force: true });
    });

    it("SIGKILL of `node bin/mailconform.js serve`: one process, so its ports close with it", async function () {
      const started = await serve(process.execPath, [BIN], path.join(dir, "data"));
      child = started.child;
      expect(await listening(started.smtp)).to.equal(true);
      child.kill("SIGKILL");
      await closes(started.smtp);
    });

    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      it(`${signal} of \`npx mailconform serve\` (npm → sh → node): the server ends with its launcher`, async function () {
        const started = await serve("npx", ["--no-install", "mailconform"], path.join(dir, "data"));
        child = started.child;
        expect(await listening(started.smtp)).to.equal(true);
        child.kill(signal);
        await closes(started.smtp);
      });
    }
  });
});

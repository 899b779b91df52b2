// The README's first implementer path, spawned as a user runs it: `serve`
// prints the certificate it serves (path and SHA-256), a run that does not
// trust it says once how to (--ca) or how to skip the check (--insecure),
// and both then work; `--user` takes passwords with ':' and `--user-file`
// any password; a guessed mail domain is warned about.

import { after, before, describe, it } from "mocha";
import { expect } from "chai";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../../reference-server/serve.ts";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { BIN, REPO, runCli } from "../support/cli-process.ts";

const SPAWN_TIMEOUT_MS = 60_000;

const cli = (args: string[], cwd: string) => runCli(args, cwd, SPAWN_TIMEOUT_MS);

/** `mailconform serve` until its output names the certificate; the process is left running. */
function serve(args: string[], cwd: string): Promise<{ child: ChildProcessWithoutNullStreams; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", ...args], { cwd, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`serve printed no certificate within ${SPAWN_TIMEOUT_MS} ms:\n${out}\n${err}`))), SPAWN_TIMEOUT_MS);
    child.stderr.on("data", (d: Buffer) => (err += d));
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (/^ +trust it: .*\n/m.test(out)) {
        clearTimeout(timer);
        resolve({ child, out });
      }
    });
    child.on("close", (code) => (clearTimeout(timer), reject(new Error(`serve exited with ${code} before printing its certificate:\n${out}\n${err}`))));
  });
}

describe("talking to a server: certificates, users, domain", function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-talk-"));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe("against `mailconform serve` and its self-signed certificate", () => {
    let child: ChildProcessWithoutNullStreams | undefined;
    let out = "";
    let ports: Record<string, number> = {};

    before(async () => {
      // Below the ephemeral range (32768+) and away from the interop lanes (3000, 23000, 24000), as cli.test.ts picks it.
      const base = 25_000 + Math.floor(Math.random() * 5_000);
      ({ child, out } = await serve(["--port-base", String(base), "--data", path.join(dir, "serve-data")], dir));
      ports = Object.fromEntries([...out.matchAll(/^(\w+) +127\.0\.0\.1:(\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
    });
    after(async () => {
      if (child && child.exitCode === null) {
        const closed = new Promise((r) => child!.once("close", r));
        child.kill("SIGTERM");
        await closed;
      }
    });

    const cert = () => /^cert +(\S+)$/m.exec(out)?.[1];
    const run = (...extra: string[]) =>
      cli(["run", path.join(REPO, "suites", "smtp"), "--grep", "^smtp\\.starttls\\.", "--host", "127.0.0.1", "--smtp", String(ports.smtp), "--user", "alice:alice-pw", "--user", "bob:bob-pw", "--domain", "example.test", "--report-json", path.join(dir, "r.json"), "--report-junit", path.join(dir, "r.xml"), ...extra], dir);

    it("prints the certificate's path and SHA-256 fingerprint, and how to trust it", async () => {
      const file = cert();
      expect(file, out).to.be.a("string");
      const fingerprint = new X509Certificate(await readFile(file!)).fingerprint256;
      expect(out).to.include(`SHA-256 ${fingerprint}`);
      expect(out).to.include(`--ca ${file}`).and.include("--insecure");
    });

    it("says once per run how to trust the certificate or skip verification, when TLS tests fail on it", async () => {
      const r = await run();
      expect(r.code, r.stdout + r.stderr).to.equal(1);
      const hints = r.stderr.match(/TLS certificate is not trusted/g) ?? [];
      expect(hints, r.stderr).to.have.length(1);
      expect(r.stderr).to.match(/mailconform: \d+ tests failed because the server's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
      expect(r.stderr).to.include("--ca FILE").and.include("--insecure");
      // The failures themselves still say what happened, each once.
      expect(r.stdout).to.include("DEPTH_ZERO_SELF_SIGNED_CERT");
    });

    it("passes with --ca and the printed path, and with --insecure, without the hint", async () => {
      for (const extra of [["--ca", cert()!], ["--insecure"]]) {
        const r = await run(...extra);
        expect(r.code, `${extra.join(" ")}\n${r.stdout}${r.stderr}`).to.equal(0);
        expect(r.stderr).to.not.include("not trusted");
      }
    });
  });

  describe("users whose passwords hold ':' and '@', and the mail domain", () => {
    let server: RunningServer;
    let suite: string;

    before(async () => {
      const config = defaultConfig();
      config.users = [
        { name: "carol", password: "plain:pa:ss", address: "carol@example.test", aliases: [] },
        { name: "dave", password: "plain:p@ss:x@y.test", address: "dave@example.test", aliases: [] },
      ];
      server = await startServer({ portBase: "ephemeral", dataDir: path.join(dir, "users-data"), config });
      suite = path.join(dir, "login.yaml");
      await writeFile(
        suite,
        [
          "protocol: pop3",
          "title: login",
          "tests:",
          "  - id: pop3.login",
          "    title: the main user logs in",
          '    refs: ["RFC 1939 §7"]',
          "    level: MUST",
          "    steps:",
          '      - expect: "+OK"',
          "      - send: USER ${user.login}",
          '      - expect: "+OK"',
          "      - send: PASS ${user.password}",
          '      - expect: "+OK"',
          "      - send: QUIT",
          '      - expect: "+OK"',
          "    quote: If the lock is successfully acquired, the POP3 server responds with a positive status indicator.",
          "",
        ].join("\n"),
      );
    });
    after(async () => {
      await server?.close();
    });

    const run = (...extra: string[]) => cli(["run", suite, "--host", "127.0.0.1", "--pop3", String(server.ports.pop3), "--report-json", path.join(dir, "u.json"), "--report-junit", path.join(dir, "u.xml"), ...extra], dir);

    it("takes `--user alice:pa:ss` as the password 'pa:ss', not as an address", async () => {
      const r = await run("--user", "carol:pa:ss", "--domain", "example.test");
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      const report = JSON.parse(await readFile(path.join(dir, "u.json"), "utf8")) as { target: { users: string[] } };
      expect(report.target.users).to.deep.equal(["carol"]);
    });

    it("reads any password from --user-file, with positions for its mistakes", async () => {
      const users = path.join(dir, "users.yaml");
      await writeFile(users, 'users:\n  - { login: dave, password: "p@ss:x@y.test" }\n');
      const r = await run("--user-file", users, "--domain", "example.test");
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      await writeFile(users, "- { login: dave, pasword: x }\n");
      const bad = await run("--user-file", users, "--domain", "example.test");
      expect(bad.code).to.equal(2);
      expect(bad.stderr).to.match(/users\.yaml:1:\d+: .*pasword/);
    });

    it("warns when the mail domain was guessed, and not when it was given", async () => {
      const guessed = await run("--user", "carol:pa:ss");
      expect(guessed.code, guessed.stdout + guessed.stderr).to.equal(0);
      expect(guessed.stderr).to.include("warning: no --domain given: the mail domain defaults to localhost, so the tests deliver to carol@localhost");
      expect(guessed.stderr).to.include("--domain DOMAIN");
      const fromAddress = await run("--user", "carol:pa:ss:carol@example.test", "--user", "dave:x");
      expect(fromAddress.stderr).to.include("the mail domain example.test was taken from carol@example.test, so the tests deliver to dave@example.test");
      const given = await run("--user", "carol:pa:ss", "--domain", "example.test");
      expect(given.stderr).to.not.include("warning");
    });
  });
});

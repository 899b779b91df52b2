import { expect } from "chai";
import { UsageError } from "../../cli/arguments.ts";
import { reportRequests, wantsColour, type RunFlags } from "../../cli/run.ts";
import { targetSourceFrom } from "../../cli/target-flags.ts";
import { namesTarget } from "../../cli/target-options.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { acquireTarget } from "../../runner/run/target-source.ts";
import { targetFromFlags } from "../../runner/target/flags.ts";
import { loadTarget } from "../../runner/target/load.ts";
import { REPO } from "../support/cli-process.ts";
import { runListingModules } from "../support/module-loads.ts";

const base: RunFlags = { user: [], tag: [], jobs: 1, timeout: 10_000 };

describe("cli/run flags", function () {
  it("uses the target file when given, the flags when given, else starts the reference server", function () {
    expect(targetSourceFrom({ ...base, target: "lab.yaml" })).to.deep.equal({ kind: "file", file: "lab.yaml" });
    const flags = targetSourceFrom({ ...base, host: "mx", smtp: 25, user: ["a:b"], insecure: true });
    expect(flags).to.deep.include({ kind: "flags" });
    expect((flags as { flags: unknown }).flags).to.deep.include({ host: "mx", smtp: 25, user: ["a:b"], insecure: true });
    expect(targetSourceFrom(base).kind).to.equal("started");
  });

  it("refuses --target together with target flags, naming them", function () {
    expect(() => targetSourceFrom({ ...base, target: "t.yaml", smtp: 25, user: ["a:b"] })).to.throw(UsageError, "--smtp, --user");
  });

  it("refuses target flags without any port", function () {
    expect(() => targetSourceFrom({ ...base, user: ["a:b"] })).to.throw(UsageError, /at least one port/);
  });

  it("--imap-prefix / --imap-delimiter override a target file's mailbox-prefix and delimiter", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "mc-run-flags-"));
    try {
      const file = path.join(dir, "lab.yaml");
      await writeFile(file, 'host: 127.0.0.1\ndomain: lab.test\nimap: { port: 1143, mailbox-prefix: "INBOX.", delimiter: "." }\nusers: [{ login: a, password: b }]\n');
      const source = targetSourceFrom({ ...base, target: file, imapPrefix: "", imapDelimiter: "" });
      expect(source).to.deep.equal({ kind: "file", file, imap: { prefix: "", delimiter: "" } });
      const { target } = await acquireTarget(source, { loadTarget, targetFromFlags });
      expect(target.endpoints.imap).to.deep.include({ port: 1143, mailboxPrefix: "", delimiter: "" });
      // Only the delimiter given: the file's prefix stays.
      const half = await acquireTarget(targetSourceFrom({ ...base, target: file, imapDelimiter: "/" }), { loadTarget, targetFromFlags });
      expect(half.target.endpoints.imap).to.deep.include({ mailboxPrefix: "INBOX.", delimiter: "/" });
      await writeFile(file, "host: 127.0.0.1\ndomain: lab.test\nsmtp: 1025\nusers: [{ login: a, password: b }]\n");
      let refused: unknown;
      await acquireTarget(targetSourceFrom({ ...base, target: file, imapPrefix: "INBOX." }), { loadTarget, targetFromFlags }).catch((e: unknown) => (refused = e));
      expect(String(refused)).to.match(/has no IMAP endpoint/);
      // --insecure beside --target: the file's verification is switched off, not silently kept.
      const insecure = await acquireTarget(targetSourceFrom({ ...base, target: file, insecure: true }), { loadTarget, targetFromFlags });
      expect(insecure.target.insecure).to.equal(true);
      expect((await acquireTarget(targetSourceFrom({ ...base, target: file }), { loadTarget, targetFromFlags })).target.insecure).to.equal(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("--imap-prefix / --imap-delimiter with port flags place the IMAP endpoint's mailboxes, and are checked", function () {
    const source = targetSourceFrom({ ...base, imap: 1143, user: ["a:b"], domain: "lab.test", imapPrefix: "INBOX.", imapDelimiter: "." });
    expect(source.kind).to.equal("flags");
    const target = targetFromFlags((source as { flags: Parameters<typeof targetFromFlags>[0] }).flags);
    expect(target.endpoints.imap).to.deep.include({ port: 1143, mailboxPrefix: "INBOX.", delimiter: "." });
    expect(() => targetFromFlags({ imap: 1143, user: ["a:b"], imapDelimiter: ".." })).to.throw(/--imap-delimiter is one character/);
    expect(() => targetFromFlags({ smtp: 25, user: ["a:b"], imapPrefix: "x" })).to.throw(/need an IMAP endpoint/);
    expect(() => targetSourceFrom({ ...base, imapPrefix: "INBOX." })).to.throw(UsageError, /at least one port/);
  });

  it("sees whether any flag names a target, so the bundled server's start needs nothing else", function () {
    expect(namesTarget(base)).to.equal(false);
    expect(namesTarget({ ...base, insecure: true, name: "mine" })).to.equal(false);
    for (const named of [{ target: "t.yaml" }, { host: "mx" }, { smtp: 25 }, { imaps: 993 }, { user: ["a:b"] }, { userFile: "u.yaml" }, { domain: "d" }, { ca: "ca.pem" }, { imapPrefix: "" }, { imapDelimiter: "/" }]) {
      expect(namesTarget({ ...base, ...named }), JSON.stringify(named)).to.equal(true);
    }
  });

  it("declares `run` and decides on its target without loading the runner or yaml (the bundled server's thread starts first)", function () {
    this.timeout(30_000);
    // A child that imports what main.ts loads to declare `run` and what run.ts loads before the target starts, and lists every module loaded.
    const body = `
      for (const m of ["cli/main.ts", "cli/arguments.ts", "cli/target-options.ts", "cli/run.ts", "cli/reference-target.ts"]) await import(path.join(${JSON.stringify(REPO)}, m));
      setImmediate(() => { process.stdout.write(loaded.join("\\n")); port1.close(); });
    `;
    const loaded = runListingModules(body, REPO).split("\n");
    expect(loaded.some((url) => url.endsWith("/cli/run.ts")), "the hook saw the modules").to.equal(true);
    expect(loaded.filter((url) => /\/node_modules\/yaml\/|\/runner\/(run\/run|run\/deps|target\/flags|suite\/load)\.ts$/.test(url))).to.deep.equal([]);
  });

  it("maps each --report-* flag to its reporter", function () {
    expect(reportRequests({ ...base, reportJson: "a.json", reportAllure: "dir", reportEvents: "e.jsonl", reportJunit: "j.xml" })).to.deep.equal([
      { name: "json", destination: "a.json" },
      { name: "junit", destination: "j.xml" },
      { name: "allure", destination: "dir" },
      { name: "events", destination: "e.jsonl" },
    ]);
    expect(reportRequests(base)).to.deep.equal([]);
  });

  it("colours only a TTY without NO_COLOR, whatever CI says", function () {
    const tty = { isTTY: true } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    expect(wantsColour(tty, {})).to.equal(true);
    expect(wantsColour(tty, { NO_COLOR: "1" })).to.equal(false);
    expect(wantsColour(pipe, { CI: "true", FORCE_COLOR: "1" })).to.equal(false);
  });
});

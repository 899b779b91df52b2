// Target files (single and grading), their positioned errors, and targets
// built from command-line flags.

import { expect } from "chai";
import { describe, it } from "mocha";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTarget, loadTargets, targetFromFlags, TargetError } from "../../../runner/target/load.ts";

async function withFile<T>(text: string, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "mailconform-target-"));
  const file = path.join(dir, "lab.yaml");
  await writeFile(file, text);
  try {
    return await use(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function errorsOf(text: string, load: (file: string) => Promise<unknown> = loadTarget): Promise<string[]> {
  return withFile(text, async (file) => {
    try {
      await load(file);
    } catch (e) {
      expect(e).to.be.instanceOf(TargetError);
      return (e as TargetError).errors.map((x) => `${x.line}:${x.col}: ${x.message}${x.suggestion ? ` (did you mean '${x.suggestion}'?)` : ""}`);
    }
    throw new Error("expected a TargetError");
  });
}

const LAB = `name: lab
host: 127.0.0.1
domain: lab.test
smtp: { port: 11025 }
pop3: { port: 11110, tls: starttls }
imap: { port: 11143, tls: none, implicit-port: 11993 }
insecure: true
users:
  - { login: alice, password: alice-pw, address: alice@lab.test }
  - { login: bob, password: 1234 }
`;

describe("target files", () => {
  it("loads the issue's target shape", async () => {
    const target = await withFile(LAB, loadTarget);
    expect(target).to.deep.equal({
      name: "lab",
      host: "127.0.0.1",
      domain: "lab.test",
      endpoints: {
        smtp: { port: 11025, tls: "none" },
        pop3: { port: 11110, tls: "starttls" },
        imap: { port: 11143, tls: "none", implicitTlsPort: 11993 },
      },
      insecure: true,
      users: [
        { login: "alice", password: "alice-pw", address: "alice@lab.test" },
        { login: "bob", password: "1234", address: "bob@lab.test" },
      ],
    });
  });

  it("names a target after its file and accepts a bare port", async () => {
    const target = await withFile("host: h\ndomain: d.test\nsmtp: 2525\n", loadTarget);
    expect(target).to.deep.include({ name: "lab", insecure: false, users: [] });
    expect(target.endpoints).to.deep.equal({ smtp: { port: 2525, tls: "none" } });
  });

  it("reports every error with its position", async () => {
    const text = "host: h\ndomian: d.test\nsmtp: { port: 70000, tls: startls }\nusers:\n  - { login: a }\n  - { login: b, password: p, address: nope }\n";
    expect(await errorsOf(text)).to.deep.equal([
      "2:1: unknown key 'domian' in a target (did you mean 'domain'?)",
      "3:15: 'port' must be from 1 to 65535, got 70000",
      "3:27: 'tls' must be one of none, starttls, implicit, got 'startls' (did you mean 'starttls'?)",
      "5:5: a user is missing required key 'password'",
      "6:39: 'address' must be a mail address like b@example.test, got 'nope'",
    ]);
  });

  it("reads where an IMAP target keeps the user's mailboxes, and only for IMAP", async () => {
    const target = await withFile('host: h\ndomain: d.test\nimap: { port: 143, mailbox-prefix: "INBOX.", delimiter: "." }\n', loadTarget);
    expect(target.endpoints.imap).to.deep.equal({ port: 143, tls: "none", mailboxPrefix: "INBOX.", delimiter: "." });
    const flat = await withFile('host: h\ndomain: d.test\nimap: { port: 143, delimiter: "" }\n', loadTarget);
    expect(flat.endpoints.imap).to.deep.equal({ port: 143, tls: "none", delimiter: "" });
    const text = 'host: h\ndomain: d.test\nsmtp: { port: 25, mailbox-prefix: x }\nimap: { port: 143, mailbox-prefix: "a*", delimiter: "::" }\n';
    expect(await errorsOf(text)).to.deep.equal([
      "3:19: unknown key 'mailbox-prefix' in 'smtp'",
      "4:36: 'mailbox-prefix' may not hold CR, LF, NUL or the LIST wildcards % and *",
      "4:53: 'delimiter' is one character, or \"\" for a server without hierarchy (RFC 3501 §9: QUOTED-CHAR / NIL), got '::'",
    ]);
  });

  it("requires host, domain and a protocol", async () => {
    expect(await errorsOf("name: x\n")).to.deep.equal([
      "1:1: a target is missing required keys 'host', 'domain'",
      "1:1: a target needs at least one of 'smtp', 'pop3', 'imap', 'lmtp' (a port, or a map with 'port' and 'tls')",
    ]);
  });

  it("loads a grading file with defaults, names required and unique", async () => {
    const text = `defaults:
  host: 10.0.0.5
  domain: lab.test
  users: [ { login: alice, password: pw } ]
targets:
  - { name: anna, smtp: 2501 }
  - { name: ben, smtp: 2502, host: 10.0.0.6 }
`;
    const targets = await withFile(text, loadTargets);
    expect(targets.map((t) => [t.name, t.host, t.endpoints.smtp?.port, t.users[0]?.address])).to.deep.equal([
      ["anna", "10.0.0.5", 2501, "alice@lab.test"],
      ["ben", "10.0.0.6", 2502, "alice@lab.test"],
    ]);
    const bad = "defaults: { host: h, domain: d }\ntargets:\n  - { smtp: 1 }\n  - { name: a, smtp: 2 }\n  - { name: a, smtp: 3 }\n";
    expect(await errorsOf(bad, loadTargets)).to.deep.equal(["3:5: a target is missing required key 'name'", "5:5: duplicate target name 'a' (first on line 4)"]);
  });

  it("refuses a grading file where one target is expected, and reports YAML errors", async () => {
    expect(await errorsOf("targets: []\n")).to.deep.equal(["1:1: this is a grading file with 'targets:'; a single target is expected here"]);
    expect(await errorsOf("host: h\nhost: i\n")).to.deep.equal(["2:1: YAML: duplicate key 'host'"]);
  });

  it("formats the errors into the message", async () => {
    const message = await withFile("host: h\ndomain: d\nsmtp: 0\n", (file) => loadTarget(file).then(() => "", (e: Error) => e.message));
    expect(message).to.match(/lab\.yaml:3:7: 'smtp' must be from 1 to 65535, got 0\n  \|\n3 \| smtp: 0\n  \|       \^/);
  });
});

describe("targetFromFlags", () => {
  it("builds a target with defaults", () => {
    expect(targetFromFlags({ smtp: 25, imaps: 993, user: ["alice:pw", "bob:p:w:bob@other.test"], domain: "lab.test" })).to.deep.equal({
      name: "127.0.0.1",
      host: "127.0.0.1",
      domain: "lab.test",
      endpoints: { smtp: { port: 25, tls: "none" }, imap: { port: 993, tls: "implicit" } },
      insecure: false,
      users: [
        { login: "alice", password: "pw", address: "alice@lab.test" },
        { login: "bob", password: "p:w", address: "bob@other.test" },
      ],
    });
  });

  it("keeps a plain and an implicit-TLS port for one protocol, and takes the domain from the first address", () => {
    const target = targetFromFlags({ host: "mx", name: "m", pop3: 110, pop3s: 995, user: ["a:b:a@x.test"], insecure: true });
    expect(target).to.deep.include({ name: "m", host: "mx", domain: "x.test", insecure: true });
    expect(target.endpoints.pop3).to.deep.equal({ port: 110, tls: "none", implicitTlsPort: 995 });
  });

  it("takes --lmtp as an endpoint and --submission as the named submission endpoint, STARTTLS first", () => {
    const target = targetFromFlags({ smtp: 25, lmtp: 24, submission: 587, user: ["a:b"], domain: "x.test" });
    expect(target.endpoints.lmtp).to.deep.equal({ port: 24, tls: "none" });
    expect(target.submission).to.deep.equal({ port: 587, tls: "starttls" });
    expect(() => targetFromFlags({ submission: 70000, user: ["a:b"], domain: "x.test" })).to.throw(TargetError, /--submission: a port is a whole number/);
  });

  it("collects every bad flag in one TargetError", () => {
    let error: TargetError | undefined;
    try {
      targetFromFlags({ smtp: 0, imap: 1.5, user: ["nopassword"] });
    } catch (e) {
      error = e as TargetError;
    }
    expect(error).to.be.instanceOf(TargetError);
    expect(error!.errors.map((e) => e.message)).to.deep.equal([
      "--user: expected LOGIN:PASSWORD[:ADDRESS], got 'nopassword'",
      "--smtp: a port is a whole number from 1 to 65535, got 0",
      "--imap: a port is a whole number from 1 to 65535, got 1.5",
    ]);
    expect(error!.message).to.equal("command line: --user: expected LOGIN:PASSWORD[:ADDRESS], got 'nopassword'\n\ncommand line: --smtp: a port is a whole number from 1 to 65535, got 0\n\ncommand line: --imap: a port is a whole number from 1 to 65535, got 1.5");
  });
});

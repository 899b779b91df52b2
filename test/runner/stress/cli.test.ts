// `mailconform stress` from the command line: a short run against the bundled
// reference server writes its JSON and exits 0; bad flags are usage errors (2).

import { expect } from "chai";
import { describe, it } from "mocha";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../../../cli/main.ts";

async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
  }
}

describe("stress: command line", function () {
  this.timeout(30_000);

  it("runs against the bundled reference server and writes JSON", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "mc-stress-cli-"));
    try {
      const json = path.join(dir, "stress.json");
      const code = await quietly(() => main(["stress", "--operations", "9", "--clients", "3", "--mix", "smtp=1,pop3=1,imap=1", "--messages", "3", "--json", json]));
      expect(code).to.equal(0);
      const result = JSON.parse(await readFile(json, "utf8"));
      expect(result.version).to.equal(1);
      expect(result.totalErrors).to.equal(0);
      expect(result.sessions.smtp.completed + result.sessions.pop3.completed + result.sessions.imap.completed).to.equal(9);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("--imap-commands runs long IMAP sessions: LIST, STATUS and the rest between one LOGIN and its LOGOUT", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "mc-stress-cli-"));
    try {
      const json = path.join(dir, "stress.json");
      const code = await quietly(() => main(["stress", "--protocols", "imap", "--operations", "2", "--clients", "2", "--messages", "3", "--imap-commands", "40", "--json", json]));
      expect(code).to.equal(0);
      const result = JSON.parse(await readFile(json, "utf8"));
      expect(result.options.imapCommandsPerSession).to.equal(40);
      expect(result.sessions.imap.completed).to.equal(2);
      const counts = new Map<string, number>(result.commands.map((c: { command: string; ok: number }) => [c.command, c.ok]));
      // Two sessions: two logins, and 40 drawn commands each beside them (SELECT also opens every session).
      expect(counts.get("LOGIN")).to.equal(2);
      expect(counts.get("LIST")).to.be.greaterThan(0);
      expect(counts.get("STATUS")).to.be.greaterThan(0);
      expect([...counts.values()].reduce((a, b) => a + b, 0)).to.be.at.least(2 * 40);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad mix, both limits at once, and an unreachable target", async function () {
    expect(await quietly(() => main(["stress", "--mix", "ftp=1"]))).to.equal(2);
    expect(await quietly(() => main(["stress", "--duration", "1", "--operations", "1"]))).to.equal(2);
    // Port 1 on loopback: nothing listens there, so preparing the mailboxes fails.
    expect(await quietly(() => main(["stress", "--protocols", "imap", "--imap", "1", "--user", "u:p", "--operations", "1"]))).to.equal(3);
  });
});

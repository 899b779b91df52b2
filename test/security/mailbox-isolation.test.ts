// User A cannot reach user B's mail through any mailbox name: path climbing,
// absolute paths, INBOX/.., ~user and namespace prefixes, modified UTF-7 and
// %-escapes that decode to dots or slashes, NUL and over-long names — for
// SELECT, EXAMINE, STATUS, APPEND, CREATE, RENAME, COPY, MOVE and DELETE, on
// the real Maildir store. Afterwards the file system is scanned: B's files are
// untouched and nothing exists outside the data directory that was not there before.
// Standards: RFC 3501 §5.1 (mailbox naming), §5.1.3 (modified UTF-7), §6.3, RFC 2683 §3.2.2.

import { expect } from "chai";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { startServer, type RunningServer } from "../../reference-server/serve.ts";
import type { MailStore } from "../../reference-server/store/types.ts";
import { loggedIn } from "../reference-server/imap/support/imap-server.ts";

const SECRET = "Subject: bob-secret-7f3a";

/** Every file and directory below `dir`, with size and mtime, as "path size mtime". */
async function snapshot(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, entry.name);
      const s = await stat(p);
      out.add(`${relative(dir, p)} ${entry.isDirectory() ? "dir" : s.size} ${s.mtimeMs}`);
      if (entry.isDirectory()) await walk(p);
    }
  };
  await walk(dir);
  return out;
}

describe("security: mailbox isolation between users (IMAP, Maildir store)", () => {
  let root: string;
  let server: RunningServer;
  let store: MailStore;
  let escape: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "mailconform-isolation-"));
    escape = join(root, "escaped");
    const config = defaultConfig();
    config.auth.failureDelayMs = 0;
    server = await startServer({ config, dataDir: join(root, "data"), portBase: "ephemeral" });
    const { openMaildirStore } = await import("../../reference-server/store/maildir-store.ts");
    store = await openMaildirStore(join(root, "data", "mail"));
    await store.deliver("bob", Buffer.from(`${SECRET}\r\n\r\nfor bob only\r\n`));
  });
  after(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it("no name form reaches bob's mailboxes, and nothing is written outside the data directory", async function () {
    this.timeout(20_000);
    const bobDir = join(root, "data", "mail", "bob");
    const bobBefore = await snapshot(bobDir);
    const outsideBefore = (await readdir(root)).sort();
    const names = [
      "../bob", "../bob/Maildir", "../../bob", "..", "../..", "INBOX/../bob", "INBOX/../../bob", "INBOX/..", "inbox/../../bob/Maildir",
      "/etc/passwd", `${join(root, "data", "mail", "bob", "Maildir")}`, escape, "~bob", "~bob/INBOX", "#user/bob", "#shared/bob", "bob",
      "&AC4ALg-", "&AC4ALg-/bob", "&AC4ALgAv-bob", "&AC4ALgAvAC4ALgAv-bob", "&AC8-bob", "&AC8-", "%2e%2e/bob", "%2E%2E%2Fbob", "..%2Fbob",
      ".bob", "INBOX.bob", "..bob", "x/".repeat(150) + "x", "y".repeat(1200),
    ];
    const quoted = (n: string) => `"${n.replace(/["\\]/g, "\\$&")}"`;
    const c = await loggedIn(server.ports.imap!);
    const all: string[] = [];
    const record = (r: { tagged: string; untagged: string[] }) => all.push(r.tagged, ...r.untagged);
    record(await c.run("APPEND INBOX", "Subject: alice\r\n\r\nmine\r\n"));
    for (const name of names) {
      record(await c.run(`SELECT ${quoted(name)}`));
      record(await c.run(`EXAMINE ${quoted(name)}`));
      record(await c.run(`STATUS ${quoted(name)} (MESSAGES UIDNEXT)`));
      record(await c.run(`APPEND ${quoted(name)}`, "Subject: planted\r\n\r\nx\r\n"));
      record(await c.run(`LIST "" ${quoted(name)}`));
      record(await c.run(`LIST ${quoted(name)} *`));
      record(await c.run(`CREATE ${quoted(name + "/new")}`));
      record(await c.run(`CREATE ${quoted(name)}`));
      record(await c.run(`RENAME ${quoted(name)} ${quoted(name + "-renamed")}`));
      record(await c.run(`DELETE ${quoted(name + "-renamed")}`));
      record(await c.run(`DELETE ${quoted(name)}`));
      record(await c.run(`CREATE "mine"`));
      record(await c.run(`RENAME "mine" ${quoted(name)}`));
      record(await c.run(`DELETE ${quoted(name)}`));
      record(await c.run(`DELETE "mine"`));
      record(await c.run(`SELECT INBOX`));
      record(await c.run(`COPY 1 ${quoted(name)}`));
      record(await c.run(`MOVE 1:* ${quoted(name)}`));
      record(await c.run(`FETCH 1:* BODY.PEEK[]`));
    }
    // NUL inside a literal name: refused, never truncated to a shorter path.
    record(await c.run("SELECT", Buffer.from("INBOX\0../../bob")));
    record(await c.run("CREATE", Buffer.from("a\0b")));
    await c.run("LOGOUT").catch(() => undefined);
    c.close();

    expect(all.filter((line) => line.includes("bob-secret")), "alice saw bob's message").to.deep.equal([]);
    expect(await snapshot(bobDir), "bob's files changed").to.deep.equal(bobBefore);
    expect((await readdir(root)).sort(), "something appeared next to the data directory").to.deep.equal(outsideBefore);
    for (const absolute of ["/etc/passwd/new", escape, "/etc/passwd-renamed"]) {
      expect(await stat(absolute).then(() => true, () => false), `${absolute} exists`).to.equal(false);
    }
    // Whatever alice created lives in her own Maildir.
    const dataEntries = await readdir(join(root, "data", "mail"));
    expect(dataEntries.sort()).to.deep.equal(["alice", "bob"]);
    const bobStatus = await (await store.mailbox("bob", "INBOX")).status();
    expect(bobStatus.messages).to.have.length(1);
  });
});

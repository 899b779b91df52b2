// The reference server's BINARY, MULTIAPPEND and OBJECTID beyond what the
// suites can show: Python's imaplib fetching BINARY (it reads the server's
// ~{n} literal8 like any literal), an APPEND literal8 with NUL octets read
// back byte for byte, and a MAILBOXID that survives a restart of the server
// on the same Maildir store (and a RENAME in between).
// Standards: RFC 3516 §4.2-§4.4, RFC 3502 §6.3.11, RFC 8474 §4.

import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { startServer, type RunningServer } from "../../../reference-server/serve.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { testDataDir } from "../support/server.ts";
import { loggedIn, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

const OCTETS = Buffer.from([0, 1, 2, 3, 0, 0x68, 0x69, 0, 0xff]);

function attachmentMessage(): Buffer {
  return Buffer.from(
    [
      "From: Sender <sender@example.test>",
      "To: alice@example.test",
      "Subject: octets",
      "Date: Mon, 7 Feb 1994 21:52:25 -0800",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain",
      "",
      "see attachment",
      "--b",
      "Content-Type: application/octet-stream",
      "Content-Transfer-Encoding: base64",
      "",
      OCTETS.toString("base64"),
      "--b--",
      "",
    ].join("\r\n"),
  );
}

function python(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", ["-c", script], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

describe("reference-server imap: BINARY, MULTIAPPEND and OBJECTID with real clients and restarts", () => {
  let server: ImapTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it("python imaplib: BINARY.SIZE and BINARY.PEEK of a base64 attachment give the decoded octets", async () => {
    server = await startImapServer();
    await server.store.deliver("alice", attachmentMessage());
    const script = `
import imaplib
M = imaplib.IMAP4("127.0.0.1", ${server.imap})
M.login("alice", "alice-pw")
assert "BINARY" in M.capabilities, M.capabilities
typ, data = M.select("INBOX"); assert typ == "OK", data
typ, data = M.fetch("1", "(BINARY.SIZE[2])"); assert typ == "OK" and b"BINARY.SIZE[2] ${OCTETS.length}" in data[0], data
typ, data = M.fetch("1", "(BINARY.PEEK[2])"); assert typ == "OK", data
assert data[0][0].endswith(b"~{${OCTETS.length}}"), data
assert data[0][1] == bytes([${[...OCTETS].join(", ")}]), data
typ, data = M.fetch("1", "(FLAGS)"); assert b"\\\\Seen" not in data[0], data
M.logout()
print("python-binary-ok")
`;
    expect(await python(script)).to.contain("python-binary-ok");
  });

  it("an APPEND of two messages, one a literal8 with NUL octets, stores both; BINARY gives the octets back", async () => {
    server = await startImapServer();
    const c = await loggedIn(server.imap);
    try {
      const binary = Buffer.concat([Buffer.from("Subject: raw\r\nContent-Transfer-Encoding: binary\r\n\r\n"), OCTETS]);
      const first = Buffer.from("Subject: text\r\n\r\nhello\r\n");
      const command = Buffer.concat([Buffer.from(`INBOX (\\Seen) {${first.length}+}\r\n`), first, Buffer.from(` ~{${binary.length}+}\r\n`), binary]);
      const appended = await c.run(Buffer.concat([Buffer.from("APPEND "), command]));
      expect(appended.tagged).to.match(/ OK \[APPENDUID \d+ 1:2\] /);
      expect((await c.run("SELECT INBOX")).untagged).to.include("* 2 EXISTS");
      const fetched = await c.run("FETCH 2 (BINARY.PEEK[1] BINARY.SIZE[1])");
      const expected = Buffer.concat([Buffer.from(`* 2 FETCH (BINARY[1] ~{${OCTETS.length}}\r\n`, "latin1"), OCTETS, Buffer.from(` BINARY.SIZE[1] ${OCTETS.length})`)]);
      expect(fetched.untagged).to.deep.equal([expected.toString("latin1")]);
    } finally {
      c.close();
    }
  });

  it("a MAILBOXID stays the same across a RENAME and a restart of the server on the same store", async () => {
    const mailRoot = await mkdtemp(join(tmpdir(), "mailconform-objectid-"));
    const start = async (): Promise<RunningServer> => {
      const config = defaultConfig();
      config.auth.failureDelayMs = 0;
      return startServer({ config, dataDir: await testDataDir(), portBase: "ephemeral", store: await openMaildirStore(mailRoot) });
    };
    const idOf = (reply: string): string => /MAILBOXID \(([A-Za-z0-9_-]{1,255})\)/.exec(reply)?.[1] ?? "(none)";
    let running: RunningServer | undefined = await start();
    try {
      let c: ImapLineClient = await loggedIn(running.ports.imap!);
      const created = await c.run("CREATE kept");
      const id = idOf(created.tagged);
      expect(id).to.match(/^[A-Za-z][A-Za-z0-9_-]*$/);
      expect((await c.run("RENAME kept moved")).status).to.equal("OK");
      c.close();
      await running.close();
      running = await start();
      c = await loggedIn(running.ports.imap!);
      expect(idOf((await c.run("STATUS moved (MAILBOXID)")).untagged.join("\n"))).to.equal(id);
      expect(idOf((await c.run("EXAMINE moved")).untagged.join("\n"))).to.equal(id);
      expect(idOf((await c.run("CREATE kept")).tagged)).to.not.equal(id);
      c.close();
    } finally {
      await running?.close();
      await rm(mailRoot, { recursive: true, force: true });
    }
  });
});

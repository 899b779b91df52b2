// A full or failing disk under delivery, APPEND, STORE and EXPUNGE (issue 13,
// item 7), injected in the store's write path: SMTP answers 452 4.3.1 / 451
// 4.3.0, IMAP NO [OVERQUOTA] / NO [SERVERBUG]; nothing is half-visible
// afterwards (a fresh store reads exactly what was acknowledged, tmp/ is
// empty), and reads over IMAP and POP3 go on while the disk refuses writes.
// Before the fix a 1 MiB tmpfs gave 451, NO [UNAVAILABLE], and SELECT and
// POP3 PASS failing once the disk was full.
// Standards: RFC 5321 §4.2.3 (452, 451), RFC 3463 §3.4, RFC 5530 §3 (OVERQUOTA, SERVERBUG), RFC 3501 §6.4.3, §6.4.6.

import { expect } from "chai";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { diskError, injectDiskFaults, type DiskOperation } from "../../../reference-server/store/disk-faults.ts";
import { openMaildirStore } from "../../../reference-server/store/maildir-store.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { pop3Command, readPop3Body, readPop3Status, readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import type { ImapLineClient } from "../../../runner/session/imap-line-client.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "../imap/support/imap-server.ts";

/** Every write, sync or rename of the kind given fails as a full (ENOSPC) or broken (EIO) disk would. */
function failing(code: "ENOSPC" | "EIO", ...operations: DiskOperation[]): void {
  injectDiskFaults((operation, file) => (operations.includes(operation) ? diskError(code, operation, file) : null));
}

describe("store: disk faults over the wire", function () {
  let server: ImapTestServer;
  let imap: ImapLineClient;
  const others: { close(): void }[] = [];
  beforeEach(async () => {
    server = await startImapServer();
    for (let n = 1; n <= 4; n++) await server.store.deliver("alice", sampleMessage(n));
    imap = await loggedIn(server.imap);
    expect((await imap.run("SELECT INBOX")).status).to.equal("OK");
  });
  afterEach(async () => {
    injectDiskFaults(null);
    imap.close();
    for (const c of others.splice(0)) c.close();
    await server.stop();
  });

  async function smtpDelivery(n: number): Promise<string> {
    const c = await LineClient.connect({ port: server.ports.smtp! });
    others.push(c);
    await readSmtpReply(c);
    await smtpCommand(c, "EHLO client.example.test");
    await smtpCommand(c, "MAIL FROM:<sender@example.test>");
    await smtpCommand(c, "RCPT TO:<alice@example.test>");
    await smtpCommand(c, "DATA");
    const r = await smtpCommand(c, `${sampleMessage(n).toString()}.`);
    return `${r.code} ${r.text}`;
  }

  /** What a store opened afresh on the same directory finds: the truth on disk, no cache. */
  async function onDisk(): Promise<{ subjects: string[]; flags: string[][]; tmp: string[] }> {
    const fresh = await openMaildirStore(server.store.root);
    const inbox = await fresh.mailbox("alice", "INBOX");
    const status = await inbox.status();
    const subjects: string[] = [];
    for (const m of status.messages) {
      const bytes = await inbox.read(m.uid);
      expect(bytes.length, "a listed message is whole").to.equal(m.size);
      subjects.push(/Subject: (.*)\r\n/.exec(bytes.toString())![1]!);
    }
    const maildir = path.join(server.store.root, "alice", "Maildir");
    for (const sub of ["new", "cur"]) {
      for (const file of await readdir(path.join(maildir, sub))) {
        const size = Number(/,S=(\d+)/.exec(file)?.[1]);
        expect((await stat(path.join(maildir, sub, file))).size, `${file} is whole`).to.equal(size);
      }
    }
    return { subjects, flags: status.messages.map((m) => m.flags), tmp: await readdir(path.join(maildir, "tmp")) };
  }

  async function readsStillWork(expected: number): Promise<void> {
    const reader = await loggedIn(server.imap);
    others.push(reader);
    expect((await reader.run("SELECT INBOX")).status).to.equal("OK");
    const fetched = await reader.run("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    expect(fetched.status).to.equal("OK");
    expect(fetched.untagged.filter((u) => u.includes("FETCH"))).to.have.length(expected);
    const pop = await LineClient.connect({ port: server.ports.pop3! });
    others.push(pop);
    await readPop3Status(pop);
    await pop3Command(pop, "USER alice");
    expect(await pop3Command(pop, "PASS alice-pw")).to.match(/^\+OK/);
    expect(await pop3Command(pop, "RETR 1")).to.match(/^\+OK/);
    expect((await readPop3Body(pop)).toString()).to.include("Subject: message 1");
    await pop3Command(pop, "QUIT");
  }

  it("a full disk: 452 4.3.1 and NO [OVERQUOTA], nothing half-stored, flags unchanged, and reads go on", async () => {
    failing("ENOSPC", "write");
    expect(await smtpDelivery(10)).to.match(/^452 4\.3\.1 /);
    expect((await imap.run("APPEND INBOX (\\Seen)", sampleMessage(11))).tagged).to.match(/NO \[OVERQUOTA\]/);
    // A new keyword must go into the uid list, which cannot be written: refused, and no flag moved.
    expect((await imap.run("STORE 1:2 +FLAGS (\\Flagged NewWord)")).tagged).to.match(/NO \[OVERQUOTA\]/);
    await readsStillWork(4);
    // A system flag is a rename only and needs no space.
    expect((await imap.run("STORE 3 +FLAGS (\\Seen)")).status).to.equal("OK");
    injectDiskFaults(null);
    const disk = await onDisk();
    expect(disk.subjects).to.deep.equal(["message 1", "message 2", "message 3", "message 4"]);
    expect(disk.flags).to.deep.equal([[], [], ["\\Seen"], []]);
    expect(disk.tmp).to.deep.equal([]);
    expect((await imap.run("APPEND INBOX", sampleMessage(12))).status, "writes work again once there is room").to.equal("OK");
  });

  it("a failing disk: 451 4.3.0 and NO [SERVERBUG]; a failed EXPUNGE or STORE changes nothing; reads go on", async () => {
    expect((await imap.run("STORE 1:2 +FLAGS.SILENT (\\Deleted)")).status).to.equal("OK");
    failing("EIO", "sync");
    expect(await smtpDelivery(20)).to.match(/^451 4\.3\.0 /);
    expect((await imap.run("APPEND INBOX", sampleMessage(21))).tagged).to.match(/NO \[SERVERBUG\]/);
    expect((await imap.run("EXPUNGE")).tagged).to.match(/NO \[SERVERBUG\]/);
    expect((await imap.run("STORE 3:4 +FLAGS (\\Answered)")).tagged).to.match(/NO \[SERVERBUG\]/);
    await readsStillWork(4);
    injectDiskFaults(null);
    const disk = await onDisk();
    expect(disk.subjects).to.deep.equal(["message 1", "message 2", "message 3", "message 4"]);
    expect(disk.flags).to.deep.equal([["\\Deleted"], ["\\Deleted"], [], []]);
    expect(disk.tmp).to.deep.equal([]);
    const expunged = await imap.run("EXPUNGE");
    expect(expunged.status).to.equal("OK");
    expect(expunged.untagged).to.deep.equal(["* 2 EXPUNGE", "* 1 EXPUNGE"]);
  });

  it("a COPY that meets a full disk halfway stores none of its messages", async () => {
    let writes = 0;
    // The first staged copy is written, the second finds the disk full.
    injectDiskFaults((operation, file) => (operation === "write" && file.includes(`${path.sep}tmp${path.sep}`) && ++writes > 1 ? diskError("ENOSPC", operation, file) : null));
    await imap.run("CREATE Archive");
    expect((await imap.run("COPY 1:4 Archive")).tagged).to.match(/NO \[OVERQUOTA\]/);
    injectDiskFaults(null);
    const fresh = await openMaildirStore(server.store.root);
    expect((await (await fresh.mailbox("alice", "Archive")).status()).messages).to.deep.equal([]);
    expect(await readdir(path.join(server.store.root, "alice", "Maildir", ".Archive", "tmp"))).to.deep.equal([]);
  });
});

// Several sessions on one mailbox: new mail, flag changes and expunges by one
// reach the others as untagged EXISTS / RECENT / FETCH / EXPUNGE, only at the
// moments RFC 3501 allows — never an EXPUNGE during FETCH, STORE or SEARCH —
// and IDLE is told at once, also of mail delivered by SMTP. \Recent goes to
// one session only.
// Standards: RFC 3501 §5.2, §5.5, §7.3.1, §7.4.1, §2.3.2 (\Recent), RFC 2177.

import { expect } from "chai";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

describe("IMAP mailbox updates between sessions", function () {
  let server: ImapTestServer;
  let a: ImapLineClient;
  let b: ImapLineClient;
  beforeEach(async () => {
    server = await startImapServer();
    for (let i = 1; i <= 3; i++) await server.store.deliver("alice", sampleMessage(i));
    a = await loggedIn(server.imap);
    b = await loggedIn(server.imap);
  });
  afterEach(async () => {
    a.close();
    b.close();
    await server.stop();
  });

  it("gives \\Recent to the first session that selects, and not to the next", async () => {
    const first = await a.run("SELECT INBOX");
    expect(first.untagged).to.include("* 3 RECENT");
    const second = await b.run("SELECT INBOX");
    expect(second.untagged).to.include("* 0 RECENT");
    const flags = await a.run("FETCH 1 FLAGS");
    expect(flags.untagged[0]).to.match(/\\Recent/);
    expect((await b.run("FETCH 1 FLAGS")).untagged[0]).not.to.match(/\\Recent/);
  });

  it("EXAMINE does not take \\Recent away", async () => {
    expect((await a.run("EXAMINE INBOX")).untagged).to.include("* 3 RECENT");
    expect((await b.run("SELECT INBOX")).untagged).to.include("* 3 RECENT");
  });

  it("announces new mail with EXISTS and RECENT at the next command; \\Recent to the first that hears", async () => {
    await a.run("SELECT INBOX");
    await b.run("SELECT INBOX");
    await server.store.deliver("alice", sampleMessage(4));
    const first = await a.run("NOOP");
    expect(first.untagged).to.deep.equal(["* 4 EXISTS", "* 4 RECENT"]);
    const second = await b.run("NOOP");
    expect(second.untagged).to.deep.equal(["* 4 EXISTS", "* 0 RECENT"]);
    // An APPEND's own session hears of its message first.
    expect((await b.run("APPEND INBOX {5+}\r\nX: y\r\n")).untagged).to.deep.equal(["* 5 EXISTS", "* 1 RECENT"]);
    expect((await a.run("NOOP")).untagged).to.deep.equal(["* 5 EXISTS", "* 4 RECENT"]);
  });

  it("announces another session's flag change as FETCH FLAGS", async () => {
    await a.run("SELECT INBOX");
    await b.run("SELECT INBOX");
    await b.run("STORE 2 +FLAGS.SILENT (\\Flagged)");
    const noop = await a.run("NOOP");
    expect(noop.untagged.some((u) => /^\* 2 FETCH \(FLAGS \(\\Flagged \\Recent\)\)$/.test(u)), noop.untagged.join("\n")).to.equal(true);
  });

  it("never sends EXPUNGE during FETCH, STORE or SEARCH; sends it after NOOP", async () => {
    await a.run("SELECT INBOX");
    await b.run("SELECT INBOX");
    await b.run("STORE 1 +FLAGS.SILENT (\\Deleted)");
    expect((await b.run("EXPUNGE")).untagged).to.include("* 1 EXPUNGE");

    const fetch = await a.run("FETCH 1:3 (UID)");
    expect(fetch.untagged.filter((u) => u.includes("EXPUNGE"))).to.deep.equal([]);
    // Numbers have not shifted: message 2 is still UID 2 for this session.
    expect(fetch.untagged).to.include("* 2 FETCH (UID 2)");
    expect(fetch.untagged).to.include("* 3 FETCH (UID 3)");
    const store = await a.run("STORE 3 +FLAGS (\\Seen)");
    expect(store.untagged.filter((u) => u.includes("EXPUNGE"))).to.deep.equal([]);
    expect(store.untagged.some((u) => u.startsWith("* 3 FETCH"))).to.equal(true);
    const search = await a.run("SEARCH ALL");
    expect(search.untagged.filter((u) => u.includes("EXPUNGE"))).to.deep.equal([]);
    expect(search.untagged).to.include("* SEARCH 2 3");

    const noop = await a.run("NOOP");
    expect(noop.untagged).to.include("* 1 EXPUNGE");
    expect((await a.run("FETCH 1 UID")).untagged).to.deep.equal(["* 1 FETCH (UID 2)"]);
  });

  it("UID FETCH may carry the EXPUNGE (RFC 3501 §7.4.1 bars only FETCH, STORE and SEARCH)", async () => {
    await a.run("SELECT INBOX");
    await b.run("SELECT INBOX");
    await b.run("STORE 3 +FLAGS.SILENT (\\Deleted)");
    await b.run("EXPUNGE");
    const uidFetch = await a.run("UID FETCH 1:* UID");
    expect(uidFetch.untagged).to.include("* 3 EXPUNGE");
  });

  it("IDLE reports EXISTS, FETCH and EXPUNGE from other sessions as they happen, and ends with DONE", async () => {
    await a.run("SELECT INBOX");
    await b.run("SELECT INBOX");
    const tag = a.nextTag();
    a.send(`${tag} IDLE\r\n`);
    expect(await a.response()).to.match(/^\+ /);

    await b.run('APPEND INBOX {5+}\r\nX: y\r\n');
    expect(await a.response()).to.equal("* 4 EXISTS");
    expect(await a.response()).to.equal("* 4 RECENT");

    await b.run("STORE 1 +FLAGS.SILENT (\\Answered)");
    expect(await a.response()).to.match(/^\* 1 FETCH \(FLAGS \(\\Answered \\Recent\)\)$/);

    await b.run("STORE 2 +FLAGS.SILENT (\\Deleted)");
    expect(await a.response()).to.match(/^\* 2 FETCH \(FLAGS/);
    await b.run("EXPUNGE");
    expect(await a.response()).to.equal("* 2 EXPUNGE");

    a.send("DONE\r\n");
    const done = await a.until(tag);
    expect(done.status).to.equal("OK");
    expect((await a.run("FETCH 3 UID")).untagged).to.deep.equal(["* 3 FETCH (UID 4)"]);
  });

  it("IDLE hears of a message delivered by SMTP at once", async () => {
    await a.run("SELECT INBOX");
    const tag = a.nextTag();
    a.send(`${tag} IDLE\r\n`);
    expect(await a.response()).to.match(/^\+ /);
    const smtp = await LineClient.connect({ port: server.ports.smtp });
    try {
      await readSmtpReply(smtp);
      await smtpCommand(smtp, "EHLO client.test");
      await smtpCommand(smtp, "MAIL FROM:<bob@example.test>");
      await smtpCommand(smtp, "RCPT TO:<alice@example.test>");
      await smtpCommand(smtp, "DATA");
      expect((await smtpCommand(smtp, "Subject: by smtp\r\n\r\nhello\r\n.")).code).to.equal(250);
    } finally {
      smtp.close();
    }
    expect(await a.response(2000)).to.equal("* 4 EXISTS");
    expect(await a.response(2000)).to.equal("* 4 RECENT");
    a.send("DONE\r\n");
    expect((await a.until(tag)).status).to.equal("OK");
  });

  it("IDLE answers anything but DONE with BAD and the session goes on", async () => {
    await a.run("SELECT INBOX");
    const tag = a.nextTag();
    a.send(`${tag} IDLE\r\n`);
    expect(await a.response()).to.match(/^\+ /);
    a.send("NOOP\r\n");
    expect((await a.until(tag)).status).to.equal("BAD");
    expect((await a.run("NOOP")).status).to.equal("OK");
  });

  it("a mailbox deleted under a selected session ends that session with BYE", async () => {
    await a.run("CREATE Box");
    await a.run("SELECT Box");
    expect((await b.run("DELETE Box")).status).to.equal("OK");
    const noop = a.nextTag();
    a.send(`${noop} NOOP\r\n`);
    expect(await a.response()).to.match(/^\* BYE /);
    await a.closed();
  });
});

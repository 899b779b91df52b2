// IDLE as the session driver runs it (LineAwaited): DONE is read by the
// driver's parked wait, the mailbox's changes are sent while nothing reads,
// and a failure found while idling (the selected mailbox deleted by another
// session) ends the command the way a failing handler does — BYE and close.
// Standards: RFC 2177 §3, RFC 3501 §7.1.5 (BYE).

import { expect } from "chai";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import type { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

describe("IMAP IDLE in the session driver", function () {
  let server: ImapTestServer;
  let a: ImapLineClient;
  let b: ImapLineClient;
  beforeEach(async () => {
    server = await startImapServer();
    await server.store.deliver("alice", sampleMessage(1));
    a = await loggedIn(server.imap);
    b = await loggedIn(server.imap);
  });
  afterEach(async () => {
    a.close();
    b.close();
    await server.stop();
  });

  it("ends an IDLE session with BYE when another session deletes its selected mailbox", async () => {
    await a.run("CREATE Box");
    await a.run("SELECT Box");
    a.send(`${a.nextTag()} IDLE\r\n`);
    expect(await a.response()).to.match(/^\+ /);
    expect((await b.run("DELETE Box")).status).to.equal("OK");
    expect(await a.response(5000)).to.match(/^\* BYE /);
    await a.closed();
  });

  it("runs IDLE twice in a row, each hearing of changes and ending with DONE, with commands pipelined behind DONE", async () => {
    await a.run("SELECT INBOX");
    for (const expected of ["* 2 EXISTS", "* 3 EXISTS"]) {
      const tag = a.nextTag();
      a.send(`${tag} IDLE\r\n`);
      expect(await a.response()).to.match(/^\+ /);
      await b.run("APPEND INBOX {5+}\r\nX: y\r\n");
      expect(await a.response(5000)).to.equal(expected);
      expect(await a.response(5000)).to.match(/^\* \d+ RECENT$/);
      const noop = `${tag}n`;
      a.send(`DONE\r\n${noop} NOOP\r\n`);
      expect((await a.until(tag)).status).to.equal("OK");
      expect((await a.until(noop)).status).to.equal("OK");
    }
  });
});

// Mailbox hierarchy over the wire: CREATE with missing superiors, LIST with
// "%" and "*" (hierarchy-only levels as \Noselect), DELETE leaving inferiors,
// RENAME moving inferiors, renaming INBOX, LSUB's "%" rule, LIST-EXTENDED's
// SUBSCRIBED / RECURSIVEMATCH, and special-use mailboxes made at first login.
// Standards: RFC 3501 §6.3.3-6.3.9, RFC 5258 §3, RFC 3348, RFC 6154.

import { expect } from "chai";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

describe("IMAP mailbox hierarchy", function () {
  let server: ImapTestServer;
  let c: ImapLineClient;
  beforeEach(async () => {
    server = await startImapServer();
    c = await loggedIn(server.imap);
  });
  afterEach(async () => {
    c.close();
    await server.stop();
  });

  const list = async (args: string) => (await c.run(`LIST ${args}`)).untagged;

  it("creates superiors, lists levels with % and *, and marks hierarchy-only levels \\Noselect", async () => {
    expect((await c.run("CREATE a/b/c/")).status).to.equal("OK");
    expect(await list('"" a/%')).to.deep.equal(['* LIST (\\HasChildren) "/" "a/b"']);
    expect(await list('"" a/*')).to.deep.equal(['* LIST (\\HasChildren) "/" "a/b"', '* LIST (\\HasNoChildren) "/" "a/b/c"']);
    expect(await list('a/ %')).to.deep.equal(['* LIST (\\HasChildren) "/" "a/b"']);
    expect((await c.run("DELETE a/b")).status).to.equal("OK");
    expect(await list('"" a/%')).to.deep.equal(['* LIST (\\Noselect \\HasChildren) "/" "a/b"']);
    expect((await c.run("SELECT a/b")).status).to.equal("NO");
  });

  it("renames a mailbox with its inferiors, and renaming INBOX leaves INBOX empty", async () => {
    await c.run("CREATE p/q");
    expect((await c.run("RENAME p r")).status).to.equal("OK");
    expect(await list('"" r*')).to.deep.equal(['* LIST (\\HasChildren) "/" "r"', '* LIST (\\HasNoChildren) "/" "r/q"']);
    await server.store.deliver("alice", sampleMessage(1));
    await server.store.deliver("alice", sampleMessage(2));
    expect((await c.run("RENAME INBOX Old")).status).to.equal("OK");
    expect((await c.run("STATUS INBOX (MESSAGES)")).untagged).to.deep.equal(['* STATUS "INBOX" (MESSAGES 0)']);
    expect((await c.run("STATUS Old (MESSAGES)")).untagged).to.deep.equal(['* STATUS "Old" (MESSAGES 2)']);
  });

  it("LSUB % shows an unsubscribed parent of a subscribed child as \\Noselect", async () => {
    await c.run("CREATE x/y");
    await c.run("SUBSCRIBE x/y");
    expect((await c.run('LSUB "" x')).untagged).to.deep.equal(['* LSUB (\\Noselect) "/" "x"']);
    expect((await c.run('LSUB "" x/*')).untagged).to.deep.equal(['* LSUB () "/" "x/y"']);
  });

  it("LIST-EXTENDED: SUBSCRIBED selection with RECURSIVEMATCH gives CHILDINFO; \\NonExistent for a vanished subscription", async () => {
    await c.run("CREATE x/y");
    await c.run("SUBSCRIBE x/y");
    await c.run("SUBSCRIBE gone");
    expect(await list('(SUBSCRIBED RECURSIVEMATCH) "" %')).to.deep.equal([
      '* LIST (\\HasNoChildren \\Subscribed \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren \\Subscribed \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Subscribed \\Trash) "/" "Trash"',
      '* LIST (\\NonExistent \\Subscribed) "/" "gone"',
      '* LIST (\\HasChildren) "/" "x" ("CHILDINFO" ("SUBSCRIBED"))',
    ]);
  });

  it("creates the special-use mailboxes once, subscribed, for each user", async () => {
    expect((await c.run('LSUB "" *')).untagged).to.deep.equal([
      '* LSUB () "/" "Drafts"',
      '* LSUB () "/" "Junk"',
      '* LSUB () "/" "Sent"',
      '* LSUB () "/" "Trash"',
    ]);
    expect((await c.run("DELETE Junk")).status).to.equal("OK");
    const again = await loggedIn(server.imap);
    expect((await again.run('LIST "" Junk')).untagged).to.deep.equal([]);
    again.close();
    const bob = await loggedIn(server.imap, "bob");
    expect((await bob.run('LIST "" %')).untagged).to.have.length(5);
    bob.close();
  });
});

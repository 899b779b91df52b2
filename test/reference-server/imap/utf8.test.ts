// UTF8=ACCEPT: after ENABLE, quoted strings may hold UTF-8 (and must be
// valid UTF-8), mailbox names travel as UTF-8 both ways, SEARCH takes no
// CHARSET, APPEND takes the UTF8 (literal8) item; a session that did not
// enable it keeps modified UTF-7 and has no UTF8 item.
// Standards: RFC 6855 §3, §4, RFC 5161.

import { expect } from "chai";
import { loggedIn, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

describe("IMAP UTF8=ACCEPT", function () {
  let server: ImapTestServer;
  beforeEach(async () => {
    server = await startImapServer();
  });
  afterEach(async () => server.stop());

  it("enables UTF-8 mailbox names: created and listed as UTF-8, while another session sees modified UTF-7", async () => {
    const c = await loggedIn(server.imap);
    const plain = await loggedIn(server.imap);
    try {
      expect((await c.run("ENABLE UTF8=ACCEPT")).untagged).to.deep.equal(["* ENABLED UTF8=ACCEPT"]);
      expect((await c.run(Buffer.from('CREATE "Bücher"'))).status).to.equal("OK");
      // UTF-8 as the writer sends any 8-bit string: a literal (a quoted string would do as well once enabled).
      expect(Buffer.from((await c.run('LIST "" "B*"')).untagged[0]!, "latin1").toString("utf8")).to.match(/ (?:"Bücher"|\{7\}\r\nBücher)$/);
      expect((await plain.run('LIST "" "B*"')).untagged).to.deep.equal(['* LIST (\\HasNoChildren) "/" "B&APw-cher"']);
      // Once enabled, "&" is an ordinary character: this is a different name, not the same mailbox.
      expect((await c.run('STATUS "B&APw-cher" (MESSAGES)')).tagged).to.match(/NO \[NONEXISTENT\]/);
    } finally {
      c.close();
      plain.close();
    }
  });

  it("answers BAD to a quoted string that is not UTF-8, and to SEARCH CHARSET", async () => {
    const c = await loggedIn(server.imap);
    try {
      await c.run("ENABLE UTF8=ACCEPT");
      expect((await c.run(Buffer.from([...Buffer.from('CREATE "x'), 0xff, 0xfe, 0x22]))).status).to.equal("BAD");
      expect((await c.run("SELECT INBOX")).status).to.equal("OK");
      expect((await c.run("SEARCH CHARSET UTF-8 ALL")).status).to.equal("BAD");
      expect((await c.run(Buffer.from('SEARCH SUBJECT "Grüße"'))).status).to.equal("OK");
    } finally {
      c.close();
    }
  });

  it("takes APPEND's UTF8 item only after ENABLE UTF8=ACCEPT", async () => {
    const c = await loggedIn(server.imap);
    try {
      const message = Buffer.from("Subject: Grüße\r\n\r\nHallo\r\n");
      const append = (tag: string) => Buffer.concat([Buffer.from(`${tag} APPEND INBOX UTF8 (~{${message.length}+}\r\n`), message, Buffer.from(")\r\n")]);
      let tag = c.nextTag();
      c.send(append(tag));
      expect((await c.until(tag)).tagged).to.match(/ BAD /);
      await c.run("ENABLE UTF8=ACCEPT");
      tag = c.nextTag();
      c.send(append(tag));
      expect((await c.until(tag)).tagged).to.match(/ OK \[APPENDUID /);
      const inbox = await server.store.mailbox("alice", "INBOX");
      const [stored] = (await inbox.status()).messages;
      expect(await inbox.read(stored!.uid)).to.deep.equal(message);
    } finally {
      c.close();
    }
  });

  it("refuses with NO an APPEND with 8-bit header fields before ENABLE UTF8=ACCEPT, and takes it after", async () => {
    const c = await loggedIn(server.imap);
    try {
      const header8bit = Buffer.from("Subject: Gr\xfc\xdfe\r\n\r\nHallo\r\n", "latin1");
      const body8bit = Buffer.from("Subject: Gruesse\r\n\r\nHall\xf6\r\n", "latin1");
      const noBody8bit = Buffer.from("Subject: Gr\xfc\xdfe\r\n", "latin1");
      expect((await c.run("APPEND INBOX", header8bit)).status).to.equal("NO");
      expect((await c.run("APPEND INBOX", noBody8bit)).status).to.equal("NO");
      // 8-bit in the body alone is what RFC 3501 permits.
      expect((await c.run("APPEND INBOX", body8bit)).status).to.equal("OK");
      const inbox = await server.store.mailbox("alice", "INBOX");
      expect((await inbox.status()).messages).to.have.length(1);
      await c.run("ENABLE UTF8=ACCEPT");
      expect((await c.run("APPEND INBOX", header8bit)).status).to.equal("OK");
    } finally {
      c.close();
    }
  });
});

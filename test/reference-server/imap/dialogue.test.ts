// Every command in the right and the wrong state, table-driven over real
// sockets: the tagged status (OK / NO / BAD), response codes and the untagged
// data that must come with it. The session must go on after every refusal.
// Standards: RFC 3501 §3, §6, §7; RFC 2342, 2971, 3691, 4315, 5161, 6851.

import { expect } from "chai";
import { sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

type Start = "not-authenticated" | "authenticated" | "selected" | "examined";

interface Case {
  start: Start;
  send: string;
  status: "OK" | "NO" | "BAD";
  /** Regular expressions each untagged line list must contain a match for. */
  untagged?: RegExp[];
  /** A pattern the tagged line must match (response codes). */
  tagged?: RegExp;
}

const CASES: Case[] = [
  // any state
  { start: "not-authenticated", send: "CAPABILITY", status: "OK", untagged: [/^\* CAPABILITY IMAP4rev1 .*STARTTLS.*AUTH=PLAIN/] },
  { start: "selected", send: "CAPABILITY", status: "OK", untagged: [/^\* CAPABILITY IMAP4rev1 .*IDLE/] },
  { start: "not-authenticated", send: "NOOP", status: "OK" },
  { start: "selected", send: "NOOP", status: "OK" },
  { start: "not-authenticated", send: "NOOP extra", status: "BAD" },
  { start: "not-authenticated", send: 'ID ("name" "test")', status: "OK", untagged: [/^\* ID \("name" "mailconform"/] },
  { start: "authenticated", send: "ID NIL", status: "OK", untagged: [/^\* ID /] },
  { start: "authenticated", send: "ID (", status: "BAD" },
  // not authenticated
  { start: "not-authenticated", send: "LOGIN alice wrong", status: "NO", tagged: /\[AUTHENTICATIONFAILED\]/ },
  { start: "not-authenticated", send: "LOGIN alice", status: "BAD" },
  { start: "authenticated", send: "LOGIN alice alice-pw", status: "BAD" },
  { start: "not-authenticated", send: "AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXB3", status: "OK", tagged: /\[CAPABILITY IMAP4rev1/ },
  { start: "not-authenticated", send: "AUTHENTICATE PLAIN AGFsaWNlAHdyb25n", status: "NO", tagged: /\[AUTHENTICATIONFAILED\]/ },
  { start: "not-authenticated", send: "AUTHENTICATE X-UNKNOWN", status: "NO" },
  { start: "authenticated", send: "AUTHENTICATE PLAIN AGFsaWNlAGFsaWNlLXB3", status: "BAD" },
  { start: "authenticated", send: "STARTTLS", status: "BAD" },
  // authenticated
  { start: "not-authenticated", send: "SELECT INBOX", status: "BAD" },
  { start: "authenticated", send: "SELECT INBOX", status: "OK", tagged: /\[READ-WRITE\]/, untagged: [/^\* FLAGS \(/, /^\* 2 EXISTS$/, /^\* \d+ RECENT$/, /^\* OK \[UIDVALIDITY \d+\]/, /^\* OK \[UIDNEXT 3\]/, /^\* OK \[PERMANENTFLAGS \(.*\\\*\)\]/] },
  { start: "authenticated", send: "EXAMINE INBOX", status: "OK", tagged: /\[READ-ONLY\]/, untagged: [/^\* 2 EXISTS$/] },
  { start: "authenticated", send: "SELECT nosuch", status: "NO", tagged: /\[NONEXISTENT\]/ },
  { start: "selected", send: "SELECT nosuch", status: "NO" },
  { start: "authenticated", send: "SELECT", status: "BAD" },
  { start: "authenticated", send: "CREATE Projects/2024", status: "OK" },
  { start: "authenticated", send: "CREATE INBOX", status: "NO", tagged: /\[ALREADYEXISTS\]/ },
  { start: "authenticated", send: "CREATE Sent", status: "NO", tagged: /\[ALREADYEXISTS\]/ },
  { start: "authenticated", send: "DELETE INBOX", status: "NO" },
  { start: "authenticated", send: "DELETE nosuch", status: "NO", tagged: /\[NONEXISTENT\]/ },
  { start: "authenticated", send: "DELETE Junk", status: "OK" },
  { start: "authenticated", send: "RENAME Junk Spam", status: "OK" },
  { start: "authenticated", send: "RENAME nosuch other", status: "NO" },
  { start: "authenticated", send: "RENAME Junk Sent", status: "NO", tagged: /\[ALREADYEXISTS\]/ },
  { start: "authenticated", send: "SUBSCRIBE Sent", status: "OK" },
  { start: "authenticated", send: "UNSUBSCRIBE Sent", status: "OK" },
  { start: "authenticated", send: 'LIST "" *', status: "OK", untagged: [/^\* LIST \(\\HasNoChildren\) "\/" "INBOX"$/, /^\* LIST \(\\HasNoChildren \\Sent\) "\/" "Sent"$/, /^\* LIST \(\\HasNoChildren \\Trash\) "\/" "Trash"$/] },
  { start: "authenticated", send: 'LIST "" ""', status: "OK", untagged: [/^\* LIST \(\\Noselect\) "\/" ""$/] },
  { start: "authenticated", send: 'LIST "" inbox', status: "OK", untagged: [/^\* LIST \(.*\) "\/" "INBOX"$/] },
  { start: "authenticated", send: 'LSUB "" *', status: "OK", untagged: [/^\* LSUB \(\) "\/" "Sent"$/] },
  { start: "authenticated", send: 'LIST "" "%" RETURN (SPECIAL-USE)', status: "OK", untagged: [/^\* LIST \(\\HasNoChildren \\Junk\) "\/" "Junk"$/] },
  { start: "authenticated", send: 'LIST (SPECIAL-USE) "" "*"', status: "OK", untagged: [/^\* LIST \(\\HasNoChildren \\Drafts\) "\/" "Drafts"$/] },
  { start: "authenticated", send: 'LIST (SUBSCRIBED) "" ("Sent" "INBOX") RETURN (CHILDREN)', status: "OK", untagged: [/^\* LIST \(\\HasNoChildren \\Subscribed \\Sent\) "\/" "Sent"$/] },
  { start: "authenticated", send: 'LIST () "" "%" RETURN (SUBSCRIBED)', status: "OK", untagged: [/^\* LIST \(\\HasNoChildren \\Subscribed \\Trash\) "\/" "Trash"$/, /^\* LIST \(\\HasNoChildren\) "\/" "INBOX"$/] },
  { start: "authenticated", send: 'LIST (RECURSIVEMATCH) "" "%"', status: "BAD" },
  { start: "authenticated", send: 'LIST (BOGUS) "" "%"', status: "BAD" },
  { start: "authenticated", send: 'LIST "" "%" RETURN (BOGUS)', status: "BAD" },
  { start: "authenticated", send: "RENAME INBOX Old", status: "OK" },
  { start: "not-authenticated", send: 'LIST "" *', status: "BAD" },
  { start: "authenticated", send: "STATUS INBOX (MESSAGES UIDNEXT UNSEEN RECENT UIDVALIDITY)", status: "OK", untagged: [/^\* STATUS "INBOX" \(MESSAGES 2 UIDNEXT 3 UNSEEN 2 RECENT 2 UIDVALIDITY \d+\)$/] },
  { start: "authenticated", send: "STATUS INBOX (BOGUS)", status: "BAD" },
  { start: "authenticated", send: "STATUS nosuch (MESSAGES)", status: "NO" },
  { start: "authenticated", send: "NAMESPACE", status: "OK", untagged: [/^\* NAMESPACE \(\("" "\/"\)\) NIL NIL$/] },
  { start: "not-authenticated", send: "NAMESPACE", status: "BAD" },
  { start: "authenticated", send: "ENABLE CONDSTORE", status: "OK", untagged: [/^\* ENABLED CONDSTORE$/] },
  { start: "authenticated", send: "ENABLE X-NOT-AN-EXTENSION", status: "OK", untagged: [/^\* ENABLED$/] },
  { start: "selected", send: "ENABLE CONDSTORE", status: "OK" },
  { start: "not-authenticated", send: "ENABLE CONDSTORE", status: "BAD" },
  { start: "authenticated", send: "ENABLE", status: "BAD" },
  { start: "authenticated", send: "APPEND INBOX {0+}\r\n", status: "NO" },
  { start: "authenticated", send: "APPEND nosuch {3+}\r\nabc", status: "NO", tagged: /\[TRYCREATE\]/ },
  { start: "authenticated", send: 'APPEND INBOX (\\Seen $Work) "07-Feb-1994 21:52:25 -0800" {5+}\r\nHi!\r\n', status: "OK", tagged: /\[APPENDUID \d+ 3\]/ },
  { start: "authenticated", send: 'APPEND INBOX "31-Feb-1994 21:52:25 -0800" {5+}\r\nHi!\r\n', status: "BAD" },
  // selected
  { start: "authenticated", send: "FETCH 1 FLAGS", status: "BAD" },
  { start: "selected", send: "CHECK", status: "OK" },
  { start: "authenticated", send: "CHECK", status: "BAD" },
  { start: "selected", send: "FETCH 1:* (UID FLAGS RFC822.SIZE)", status: "OK", untagged: [/^\* 1 FETCH \(UID 1 FLAGS \(.*\) RFC822.SIZE \d+\)$/, /^\* 2 FETCH \(UID 2 /] },
  { start: "selected", send: "FETCH 2:1 UID", status: "OK", untagged: [/^\* 1 FETCH \(UID 1\)$/, /^\* 2 FETCH \(UID 2\)$/] },
  { start: "selected", send: "FETCH 3 FLAGS", status: "BAD" },
  { start: "selected", send: "FETCH 0 FLAGS", status: "BAD" },
  { start: "selected", send: "FETCH 1 BOGUS", status: "BAD" },
  { start: "selected", send: "FETCH 1 (FLAGS", status: "BAD" },
  { start: "selected", send: "FETCH 1 FAST", status: "OK", untagged: [/^\* 1 FETCH \(FLAGS \(.*\) INTERNALDATE "\d\d-\w{3}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}" RFC822.SIZE \d+\)$/] },
  { start: "selected", send: "FETCH 1 BODY.PEEK[]<0.4>", status: "OK", untagged: [/^\* 1 FETCH \(BODY\[\]<0> "From"\)$/] },
  { start: "selected", send: "FETCH 1 BODY[]<9999.4>", status: "OK", untagged: [/BODY\[\]<9999> ""/] },
  { start: "selected", send: "FETCH 1 BODY[]", status: "OK", untagged: [/FLAGS \(\\Seen/] },
  { start: "examined", send: "FETCH 1 BODY[]", status: "OK", untagged: [/^\* 1 FETCH \(BODY\[\] \{\d+\}/] },
  { start: "selected", send: "UID FETCH 2:* FLAGS", status: "OK", untagged: [/^\* 2 FETCH \(UID 2 FLAGS/] },
  { start: "selected", send: "UID FETCH 900:* FLAGS", status: "OK", untagged: [/^\* 2 FETCH \(UID 2 FLAGS/] },
  { start: "selected", send: "UID FETCH 900 FLAGS", status: "OK" },
  { start: "selected", send: "STORE 1 +FLAGS (\\Flagged $Label)", status: "OK", untagged: [/^\* 1 FETCH \(FLAGS \(\\Flagged \$Label \\Recent\)\)$/] },
  { start: "selected", send: "STORE 1 +FLAGS.SILENT (\\Flagged)", status: "OK" },
  { start: "selected", send: "STORE 1 FLAGS \\Draft", status: "OK", untagged: [/^\* 1 FETCH \(FLAGS \(\\Draft \\Recent\)\)$/] },
  { start: "selected", send: "UID STORE 2 -FLAGS (\\Seen)", status: "OK", untagged: [/^\* 2 FETCH \(UID 2 FLAGS/] },
  { start: "selected", send: "STORE 1 +FLAGS (\\Bogus)", status: "NO" },
  { start: "selected", send: "STORE 1 FLAGS (\\Recent)", status: "BAD" },
  { start: "authenticated", send: "APPEND INBOX (\\Recent) {3+}\r\nX:y", status: "BAD" },
  { start: "selected", send: "STORE 1 ADDFLAGS (\\Seen)", status: "BAD" },
  { start: "examined", send: "STORE 1 +FLAGS (\\Seen)", status: "NO" },
  { start: "selected", send: "SEARCH ALL", status: "OK", untagged: [/^\* SEARCH 1 2$/] },
  { start: "selected", send: "SEARCH SUBJECT \"message 2\"", status: "OK", untagged: [/^\* SEARCH 2$/] },
  { start: "selected", send: "SEARCH OR FROM sender1 (TO nobody) NOT DELETED", status: "OK", untagged: [/^\* SEARCH 1$/] },
  { start: "selected", send: "SEARCH CHARSET UTF-8 BODY \"message 1\"", status: "OK", untagged: [/^\* SEARCH 1$/] },
  { start: "selected", send: "SEARCH CHARSET KOI8-R BODY x", status: "NO", tagged: /\[BADCHARSET/ },
  { start: "selected", send: "SEARCH (SEEN", status: "BAD" },
  { start: "selected", send: "SEARCH BOGUS", status: "BAD" },
  { start: "selected", send: "SEARCH 2:* LARGER 10 SMALLER 100000 SINCE 1-Jan-2000", status: "OK", untagged: [/^\* SEARCH 2$/] },
  { start: "selected", send: "UID SEARCH UID 2", status: "OK", untagged: [/^\* SEARCH 2$/] },
  { start: "selected", send: "SEARCH SENTON 7-Feb-1994", status: "OK", untagged: [/^\* SEARCH 1 2$/] },
  { start: "selected", send: "SEARCH HEADER Message-ID \"<m2@\"", status: "OK", untagged: [/^\* SEARCH 2$/] },
  { start: "selected", send: "COPY 1:2 Sent", status: "OK", tagged: /\[COPYUID \d+ 1:2 1:2\]/ },
  { start: "selected", send: "COPY 1 nosuch", status: "NO", tagged: /\[TRYCREATE\]/ },
  { start: "selected", send: "UID COPY 2 Trash", status: "OK", tagged: /\[COPYUID \d+ 2 1\]/ },
  { start: "selected", send: "MOVE 1 Trash", status: "OK", untagged: [/^\* OK \[COPYUID \d+ 1 1\]/, /^\* 1 EXPUNGE$/] },
  { start: "selected", send: "UID MOVE 2 Trash", status: "OK", untagged: [/^\* 2 EXPUNGE$/] },
  { start: "examined", send: "MOVE 1 Trash", status: "NO" },
  { start: "selected", send: "EXPUNGE", status: "OK" },
  { start: "examined", send: "EXPUNGE", status: "OK" },
  { start: "selected", send: "UID EXPUNGE 1:*", status: "OK" },
  { start: "selected", send: "UID BOGUS 1", status: "BAD" },
  { start: "selected", send: "CLOSE", status: "OK" },
  { start: "selected", send: "UNSELECT", status: "OK" },
  { start: "authenticated", send: "UNSELECT", status: "BAD" },
  { start: "authenticated", send: "CLOSE", status: "BAD" },
  // unknown and malformed
  { start: "not-authenticated", send: "XBOGUS", status: "BAD" },
  { start: "selected", send: "FETCH", status: "BAD" },
  { start: "selected", send: "fetch 1 flags", status: "OK" },
];

describe("IMAP dialogue: every command in the right and the wrong state", function () {
  let server: ImapTestServer;
  before(async () => {
    server = await startImapServer();
  });
  after(async () => server.stop());

  let user = 0;
  async function sessionIn(start: Start): Promise<ImapLineClient> {
    // A fresh user per case, so each starts from the same mailbox.
    const name = `u${++user}`;
    const c = await ImapLineClient.connect({ port: server.imap });
    if (start === "not-authenticated") return c;
    const login = await c.run(`LOGIN ${name} ${name}-pw`);
    expect(login.status, login.tagged).to.equal("OK");
    if (start === "authenticated") return c;
    const select = await c.run(start === "selected" ? "SELECT INBOX" : "EXAMINE INBOX");
    expect(select.status, select.tagged).to.equal("OK");
    return c;
  }

  before(async () => {
    // Users u1..uN with two messages each.
    await server.stop();
    server = await startImapServer((config) => {
      config.users = CASES.map((_, i) => ({ name: `u${i + 1}`, password: `plain:u${i + 1}-pw`, address: `u${i + 1}@example.test`, aliases: [] }));
      config.users.push({ name: "alice", password: "plain:alice-pw", address: "alice@example.test", aliases: [] });
    });
    await Promise.all(
      CASES.map(async (_, i) => {
        await server.store.deliver(`u${i + 1}`, sampleMessage(1));
        await server.store.deliver(`u${i + 1}`, sampleMessage(2));
      }),
    );
  });

  for (const c of CASES) {
    it(`${c.start}: ${c.send.replace(/\r\n/g, "⏎").slice(0, 70)} → ${c.status}`, async () => {
      const client = await sessionIn(c.start);
      try {
        const reply = await client.run(c.send);
        expect(reply.status, `${reply.tagged}\n${reply.untagged.join("\n")}`).to.equal(c.status);
        if (c.tagged) expect(reply.tagged).to.match(c.tagged);
        for (const pattern of c.untagged ?? []) {
          expect(reply.untagged.some((u) => pattern.test(u)), `no untagged response matches ${pattern}:\n${reply.untagged.join("\n")}`).to.equal(true);
        }
        // The session goes on.
        expect((await client.run("NOOP")).status).to.equal("OK");
      } finally {
        client.close();
      }
    });
  }
});

// The command parser over a real socket, each case fed whole and then one
// octet at a time: tags, quoted strings with escapes, literals ({n} with "+"
// and {n+}), lists, sequence sets with "*" and reversed ranges, search keys
// with OR / NOT / parentheses, fetch sections and partials, NUL and stray
// spaces. Both feeds must give the same answer. Also the pure codecs:
// modified UTF-7 and sequence sets.
// Standards: RFC 3501 §4, §9; RFC 7888; RFC 3501 §5.1.3.

import { expect } from "chai";
import * as net from "node:net";
import { decodeMutf7, encodeMutf7, InvalidMutf7 } from "../../../reference-server/imap/grammar/mutf7.ts";
import { ArgReader } from "../../../reference-server/imap/grammar/reader.ts";
import { formatUidSet, readSequenceSet, resolveSequenceNumbers, resolveUids } from "../../../reference-server/imap/grammar/sequence-set.ts";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

interface Case {
  send: string;
  status: "OK" | "NO" | "BAD";
  untagged?: RegExp;
}

// Run in a mailbox opened with EXAMINE (read-only), so no case changes state for the next.
const CASES: Case[] = [
  { send: "fetch 1 (uid)", status: "OK", untagged: /^\* 1 FETCH \(UID 1\)$/ },
  { send: "FETCH * FLAGS", status: "OK", untagged: /^\* 3 FETCH/ },
  { send: "FETCH 3:1 UID", status: "OK", untagged: /^\* 2 FETCH \(UID 2\)$/ },
  { send: "FETCH 1:*,2 UID", status: "OK", untagged: /^\* 3 FETCH \(UID 3\)$/ },
  { send: "FETCH 1,,2 UID", status: "BAD" },
  { send: "FETCH a UID", status: "BAD" },
  { send: "FETCH 1 FLAGS ", status: "BAD" },
  { send: "FETCH  1 FLAGS", status: "BAD" },
  { send: "FETCH 4 FLAGS", status: "BAD" },
  { send: "FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject From)])", status: "OK", untagged: /BODY\[HEADER\.FIELDS \(Subject From\)\] \{\d+\}\r\nFrom: Sender 1 <sender1@example\.test>\r\nSubject: message 1\r\n\r\n\)$/ },
  { send: "FETCH 1 (BODY.PEEK[HEADER.FIELDS.NOT (Subject From To Date Message-ID)]<0.10>)", status: "OK", untagged: /BODY\[HEADER\.FIELDS\.NOT \(Subject From To Date Message-ID\)\]<0> "\\r\\n"|BODY\[HEADER\.FIELDS\.NOT .*\]<0> \{2\}/ },
  { send: "FETCH 1 BODY.PEEK[TEXT]", status: "OK", untagged: /BODY\[TEXT\] "body of message 1\\r\\n"|BODY\[TEXT\] \{\d+\}\r\nbody of message 1/ },
  { send: "FETCH 1 BODY.PEEK[1]", status: "OK", untagged: /BODY\[1\] /},
  { send: "FETCH 1 BODY[TEXT", status: "BAD" },
  { send: "FETCH 1 BODY[BOGUS]", status: "BAD" },
  { send: "FETCH 1 BODY[]<1>", status: "BAD" },
  { send: "FETCH 1 UID)", status: "BAD" },
  { send: "FETCH 1 (UID (FLAGS))", status: "BAD" },
  { send: "SEARCH SUBJECT \"message \\\"1\\\"\"", status: "OK", untagged: /^\* SEARCH$/ },
  { send: "SEARCH SUBJECT \"bad \\escape\"", status: "BAD" },
  { send: "SEARCH SUBJECT {9+}\r\nmessage 2", status: "OK", untagged: /^\* SEARCH 2$/ },
  { send: "SEARCH SUBJECT {9}\r\nmessage 3", status: "OK", untagged: /^\* SEARCH 3$/ },
  { send: "SEARCH NOT (OR SEEN (UNSEEN)) ALL", status: "OK", untagged: /^\* SEARCH$/ },
  { send: "SEARCH OR (SUBJECT \"message 1\") (SUBJECT \"message 3\")", status: "OK", untagged: /^\* SEARCH 1 3$/ },
  { send: "SEARCH ((SEEN)", status: "BAD" },
  { send: "SEARCH SEEN)", status: "BAD" },
  { send: "SEARCH OR SEEN", status: "BAD" },
  { send: "SEARCH HEADER X-None \"\"", status: "OK", untagged: /^\* SEARCH$/ },
  { send: "SEARCH HEADER Subject \"\"", status: "OK", untagged: /^\* SEARCH 1 2 3$/ },
  { send: "SEARCH BEFORE 1-Foo-2000", status: "BAD" },
  { send: "SEARCH ON \"7-Feb-2100\"", status: "OK", untagged: /^\* SEARCH$/ },
  { send: "SEARCH UID 2:*", status: "OK", untagged: /^\* SEARCH 2 3$/ },
  { send: "SEARCH 2:1", status: "OK", untagged: /^\* SEARCH 1 2$/ },
  { send: "SEARCH LARGER abc", status: "BAD" },
  { send: "UID FETCH * (FLAGS)", status: "OK", untagged: /^\* 3 FETCH \(UID 3 FLAGS/ },
  { send: "UID SEARCH 1 NOT 2", status: "OK", untagged: /^\* SEARCH 1$/ },
  { send: "STATUS \"INBOX\" (MESSAGES)", status: "OK", untagged: /^\* STATUS "INBOX" \(MESSAGES 3\)$/ },
  { send: "STATUS {5+}\r\ninbox (MESSAGES UIDNEXT)", status: "OK", untagged: /^\* STATUS "INBOX" \(MESSAGES 3 UIDNEXT 4\)$/ },
  { send: "STATUS INBOX MESSAGES", status: "BAD" },
  { send: "LIST \"\" \"%\"", status: "OK", untagged: /^\* LIST \(.*\) "\/" "Trash"$/ },
  { send: "LIST \"\" {1+}\r\n*", status: "OK", untagged: /^\* LIST \(.*\) "\/" "INBOX"$/ },
  { send: "LIST \"\" \"&Jjo\"", status: "NO" },
  { send: "NOOP\u0000", status: "BAD" },
  { send: "EXAMINE \"IN\u0000BOX\"", status: "BAD" },
  { send: "NOOP (", status: "BAD" },
  { send: "CAPABILITY", status: "OK", untagged: /^\* CAPABILITY IMAP4rev1 / },
];

/** Write a command one octet at a time, each in its own segment, honouring "+" before literals. */
async function sendSlowly(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (const b of bytes) {
    socket.write(Buffer.of(b));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe("IMAP parser cases, fed whole and one octet at a time", function () {
  let server: ImapTestServer;
  before(async () => {
    server = await startImapServer();
    for (let i = 1; i <= 3; i++) await server.store.deliver("alice", sampleMessage(i));
  });
  after(async () => server.stop());

  for (const c of CASES) {
    it(`${JSON.stringify(c.send).slice(1, -1).slice(0, 70)} → ${c.status}`, async () => {
      const answers: string[] = [];
      for (const mode of ["whole", "octets"] as const) {
        const client = await loggedIn(server.imap);
        try {
          expect((await client.run("EXAMINE INBOX")).status).to.equal("OK");
          const tag = client.nextTag();
          const bytes = Buffer.from(`${tag} ${c.send}\r\n`, "latin1");
          if (mode === "whole") client.send(bytes);
          else {
            // A synchronizing literal must wait for "+": send up to it, wait, then the rest.
            const sync = /\{\d+\}\r\n/.exec(bytes.toString("latin1"));
            const socket = (client as unknown as { socket: net.Socket }).socket;
            socket.setNoDelay(true);
            if (sync) {
              const cut = sync.index + sync[0].length;
              await sendSlowly(socket, bytes.subarray(0, cut));
              expect(await client.response()).to.match(/^\+ /);
              await sendSlowly(socket, bytes.subarray(cut));
            } else {
              await sendSlowly(socket, bytes);
            }
          }
          let reply = await client.until(tag);
          if (mode === "whole" && reply.untagged[0]?.startsWith("+ ")) reply = { ...reply, untagged: reply.untagged.slice(1) };
          expect(reply.status, `${mode}: ${reply.tagged}`).to.equal(c.status);
          if (c.untagged) expect(reply.untagged.some((u) => c.untagged!.test(u)), `${mode}: ${reply.untagged.join("\n")}`).to.equal(true);
          answers.push(reply.untagged.join("\n") + "\n" + reply.status);
          expect((await client.run("NOOP")).status).to.equal("OK");
        } finally {
          client.close();
        }
      }
      expect(answers[1]).to.equal(answers[0]);
    });
  }
});

describe("modified UTF-7 mailbox names", () => {
  const PAIRS: [string, string][] = [
    ["INBOX", "INBOX"],
    ["Entwürfe", "Entw&APw-rfe"],
    ["日本語", "&ZeVnLIqe-"],
    ["A&B", "A&-B"],
    ["~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"],
    ["😀", "&2D3eAA-"],
  ];
  for (const [utf8, wire] of PAIRS) {
    it(`${utf8} ↔ ${wire}`, () => {
      expect(encodeMutf7(utf8)).to.equal(wire);
      expect(decodeMutf7(wire)).to.equal(utf8);
    });
  }
  for (const bad of ["&Jjo", "&AGE-", "&ZeVnLIqe-&ZeVnLIqe-", "&U,BTF-", "a\u00e9b", "&2D0-"]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      expect(() => decodeMutf7(bad)).to.throw(InvalidMutf7);
    });
  }

  it("CREATE and LIST round-trip a non-ASCII name; invalid names get NO", async () => {
    const server = await startImapServer();
    const client = await loggedIn(server.imap);
    try {
      expect((await client.run('CREATE "Entw&APw-rfe/&ZeVnLIqe-"')).status).to.equal("OK");
      const list = await client.run('LIST "" "Entw&APw-rfe/*"');
      expect(list.untagged).to.deep.equal(['* LIST (\\HasNoChildren) "/" "Entw&APw-rfe/&ZeVnLIqe-"']);
      expect(await server.store.listMailboxes("alice")).to.include("Entwürfe/日本語");
      expect((await client.run('CREATE "&AGE-"')).status).to.equal("NO");
      expect((await client.run('SELECT "&Jjo"')).status).to.equal("NO");
    } finally {
      client.close();
      await server.stop();
    }
  });
});

describe("sequence sets", () => {
  const set = (text: string) => readSequenceSet(new ArgReader(Buffer.from(text), 0));
  it("resolves message numbers with * and reversed ranges", () => {
    expect(resolveSequenceNumbers(set("4:2,*"), 6)).to.deep.equal([2, 3, 4, 6]);
    expect(resolveSequenceNumbers(set("*:5"), 6)).to.deep.equal([5, 6]);
    expect(() => resolveSequenceNumbers(set("7"), 6)).to.throw(/does not exist/);
    expect(() => resolveSequenceNumbers(set("*"), 0)).to.throw(/empty/);
  });
  it("resolves UIDs, ignoring missing ones, with * as the highest UID", () => {
    expect(resolveUids(set("5:*"), [2, 4, 9])).to.deep.equal([2]);
    expect(resolveUids(set("100:*"), [2, 4, 9])).to.deep.equal([2]);
    expect(resolveUids(set("1:3"), [2, 4, 9])).to.deep.equal([0]);
    expect(resolveUids(set("1:*"), [])).to.deep.equal([]);
  });
  it("formats uid sets compactly", () => {
    expect(formatUidSet([1, 2, 3, 5, 7, 8])).to.equal("1:3,5,7:8");
  });
  it("refuses 0, empty items and junk", () => {
    for (const bad of ["0", "1,,2", "1:", ":2", "a"]) {
      expect(() => {
        const r = new ArgReader(Buffer.from(bad), 0);
        readSequenceSet(r);
        r.end();
      }, bad).to.throw();
    }
  });
});

// Defects real clients found (issue 12 §4), over real sockets: an empty
// initial-response field after AUTHENTICATE, SEARCH FROM/TO/CC/BCC on the
// envelope's addresses, CHILDINFO only for children the response does not
// list, and FLAGS announcing a new keyword before the FETCH that carries it.
// Standards: RFC 4959, RFC 2195 §2, RFC 3501 §6.4.4, §7.2.6, §7.4.2, RFC 5258 §3.5.

import { createHmac } from "node:crypto";
import { expect } from "chai";
import { loggedIn, sampleMessage, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

describe("IMAP defects found with real clients", function () {
  let server: ImapTestServer;
  beforeEach(async () => {
    server = await startImapServer();
  });
  afterEach(async () => {
    await server.stop();
  });

  describe("AUTHENTICATE with an empty initial-response field", () => {
    let c: ImapLineClient;
    beforeEach(async () => {
      c = await ImapLineClient.connect({ port: server.imap });
    });
    afterEach(() => c.close());

    it('logs in with "AUTHENTICATE CRAM-MD5 " (trailing space) as with no initial response', async () => {
      await c.send("a1 AUTHENTICATE CRAM-MD5 \r\n");
      const challenge = await c.response();
      expect(challenge).to.match(/^\+ [A-Za-z0-9+/]+=*$/);
      const text = Buffer.from(challenge.slice(2), "base64").toString();
      const digest = createHmac("md5", "alice-pw").update(text).digest("hex");
      await c.send(Buffer.from(`alice ${digest}`).toString("base64") + "\r\n");
      expect(await c.response()).to.match(/^a1 OK /);
    });

    it("still refuses what does follow the space when it is not base64, or a second space", async () => {
      for (const line of ["a1 AUTHENTICATE PLAIN !!", "a2 AUTHENTICATE PLAIN  ", "a3 AUTHENTICATE PLAIN  AGFsaWNlAGFsaWNlLXB3"]) {
        await c.send(line + "\r\n");
        expect(await c.response(), line).to.match(/^a\d BAD /);
      }
      // "=" is the empty initial response (RFC 4959): PLAIN then fails, it does not ask again.
      await c.send("a4 AUTHENTICATE PLAIN =\r\n");
      expect(await c.response()).to.match(/^a4 NO /);
    });
  });

  describe("SEARCH on address fields", () => {
    let c: ImapLineClient;
    const message =
      "From: <user-from (comment)@ (comment) domain.org>\r\n" +
      "To: =?UTF-8?Q?M=C3=BCller?= <mueller@example.net>, Team: a@example.org, b@example.org;\r\n" +
      "Cc: carol@example.net (Carol Comment)\r\n" +
      "Bcc: hidden (not this)@example.com\r\n" +
      "Subject: addresses\r\n\r\nbody\r\n";
    beforeEach(async () => {
      await server.store.deliver("alice", sampleMessage(1));
      await server.store.deliver("alice", Buffer.from(message));
      c = await loggedIn(server.imap);
      await c.run("SELECT INBOX");
    });
    afterEach(() => c.close());

    const search = async (criteria: string) => (await c.run(`SEARCH ${criteria}`)).untagged;

    it("matches the address as ENVELOPE writes it, not the header text", async () => {
      expect((await c.run("FETCH 2 ENVELOPE")).untagged[0]).to.include('((NIL NIL "user-from" "domain.org"))');
      expect(await search('FROM "user-from@domain.org"')).to.deep.equal(["* SEARCH 2"]);
      expect(await search("BCC hidden@example.com")).to.deep.equal(["* SEARCH 2"]);
      // A comment inside the address is no part of it; HEADER still sees the raw text.
      expect(await search("FROM comment")).to.deep.equal(["* SEARCH"]);
      expect(await search("HEADER FROM comment")).to.deep.equal(["* SEARCH 2"]);
    });

    it("matches decoded display names, group names and a trailing comment that names the address", async () => {
      expect((await c.run("SEARCH CHARSET UTF-8 TO", "Müller")).untagged).to.deep.equal(["* SEARCH 2"]);
      expect((await c.run("SEARCH CHARSET UTF-8 TO", "Müller <mueller@example.net>")).untagged).to.deep.equal(["* SEARCH 2"]);
      expect(await search("TO Team")).to.deep.equal(["* SEARCH 2"]);
      expect(await search("TO b@example.org")).to.deep.equal(["* SEARCH 2"]);
      expect(await search('CC "Carol Comment"')).to.deep.equal(["* SEARCH 2"]);
      expect(await search("FROM sender1@example.test")).to.deep.equal(["* SEARCH 1"]);
      expect(await search('FROM "Sender 1"')).to.deep.equal(["* SEARCH 1"]);
      expect(await search('CC ""')).to.deep.equal(["* SEARCH 2"]);
    });
  });

  describe("LIST (SUBSCRIBED RECURSIVEMATCH) and CHILDINFO", () => {
    let c: ImapLineClient;
    beforeEach(async () => {
      c = await loggedIn(server.imap);
      await c.run("CREATE x/y");
      await c.run("CREATE x/z");
      await c.run("SUBSCRIBE x/y");
    });
    afterEach(() => c.close());

    const list = async (patterns: string) => (await c.run(`LIST (SUBSCRIBED RECURSIVEMATCH) "" ${patterns}`)).untagged;

    it("returns the parent with CHILDINFO only when the response does not list the subscribed child itself", async () => {
      expect(await list('"x*"')).to.deep.equal(['* LIST (\\HasNoChildren \\Subscribed) "/" "x/y"']);
      expect(await list('"x"')).to.deep.equal(['* LIST (\\HasChildren) "/" "x" ("CHILDINFO" ("SUBSCRIBED"))']);
      expect(await list('("x" "x/y")')).to.deep.equal(['* LIST (\\HasNoChildren \\Subscribed) "/" "x/y"']);
      // x/z is not subscribed, so listing it does not stand in for x/y.
      expect(await list('("x" "x/z")')).to.deep.equal(['* LIST (\\HasChildren) "/" "x" ("CHILDINFO" ("SUBSCRIBED"))']);
    });
  });

  describe("FLAGS for a keyword new to the mailbox", () => {
    let a: ImapLineClient;
    let b: ImapLineClient;
    const defined = (keywords: string) => `* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft ${keywords})`;
    beforeEach(async () => {
      await server.store.deliver("alice", sampleMessage(1));
      await server.store.deliver("alice", sampleMessage(2));
      a = await loggedIn(server.imap);
      b = await loggedIn(server.imap);
      await a.run("SELECT INBOX");
      await b.run("SELECT INBOX");
    });
    afterEach(() => {
      a.close();
      b.close();
    });

    it("comes before this session's STORE FETCH, once, then again only for a further new keyword", async () => {
      const first = await a.run("STORE 1 +FLAGS ($Work Later)");
      expect(first.untagged).to.deep.equal([
        defined("$Work Later"),
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later \\*)] flags and keywords the client can change",
        "* 1 FETCH (FLAGS ($Work Later \\Recent))",
      ]);
      // Known keywords, in another case, are not announced again; nor is anything on the next NOOP.
      expect((await a.run("STORE 2 +FLAGS ($work)")).untagged).to.deep.equal(["* 2 FETCH (FLAGS ($Work \\Recent))"]);
      expect((await a.run("NOOP")).untagged).to.deep.equal([]);
      const silent = await a.run("STORE 2 +FLAGS.SILENT (Third)");
      expect(silent.untagged[0]).to.equal(defined("$Work Later Third"));
      expect(silent.untagged.some((line) => line.includes("FETCH"))).to.equal(false);
    });

    it("comes before the FETCH another session is told of", async () => {
      await a.run("STORE 1 +FLAGS (Fresh)");
      const told = (await b.run("NOOP")).untagged;
      expect(told[0]).to.equal(defined("Fresh"));
      expect(told.indexOf("* 1 FETCH (FLAGS (Fresh))")).to.be.greaterThan(0);
    });
  });
});

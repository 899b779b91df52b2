// The reference server's ESEARCH, SEARCHRES, SORT and THREAD beyond the
// suites: Python's imaplib driving them the way a client library does (it
// sends the commands raw and reads the untagged ESEARCH / SORT / THREAD
// responses by name), "$" in a pipelined SEARCH and FETCH, and SEARCH TEXT
// over a message that has no header/body separator at all.
// Standards: RFC 4731 §3.1, RFC 5182 §2.1, §2.3, RFC 5256 BASE.6.4.SORT, BASE.6.4.THREAD, RFC 3501 §6.4.4 (TEXT).

import { expect } from "chai";
import { execFile } from "node:child_process";
import { loggedIn, startImapServer, type ImapTestServer } from "./support/imap-server.ts";

function python(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("python3", ["-c", script], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python3 failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function message(subject: string, date: string, from: string, extra = ""): Buffer {
  return Buffer.from(`From: <${from}@example.test>\r\nSubject: ${subject}\r\nDate: ${date}\r\n${extra}\r\nbody of ${subject}\r\n`);
}

describe("reference-server imap: ESEARCH, SEARCHRES, SORT and THREAD", () => {
  let server: ImapTestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  async function withMessages(): Promise<ImapTestServer> {
    const s = await startImapServer();
    await s.store.deliver("alice", message("Re: beta", "Mon, 18 Aug 2003 10:00:00 +0000", "carol", "Message-ID: <m1@x>\r\n"));
    await s.store.deliver("alice", message("alpha", "Sun, 17 Aug 2003 10:00:00 +0000", "bob", "Message-ID: <m2@x>\r\n"));
    await s.store.deliver("alice", message("beta", "Tue, 19 Aug 2003 10:00:00 +0000", "alice", "Message-ID: <m3@x>\r\n"));
    await s.store.deliver("alice", message("Re: alpha", "Wed, 20 Aug 2003 10:00:00 +0000", "dave", "Message-ID: <m4@x>\r\nReferences: <m2@x>\r\n"));
    return s;
  }

  it("python imaplib: ESEARCH, SORT, ESORT and both THREAD algorithms", async () => {
    server = await withMessages();
    const script = `
import imaplib
M = imaplib.IMAP4("127.0.0.1", ${server.imap})
M.login("alice", "alice-pw")
for cap in ("ESEARCH", "SEARCHRES", "SORT", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"):
    assert cap in M.capabilities, (cap, M.capabilities)
typ, data = M.select("INBOX"); assert typ == "OK", data
def run(*args):
    typ, data = M._simple_command(*args); assert typ == "OK", (args, typ, data)
typ, data = M.search(None, "RETURN", "(MIN MAX COUNT)", "ALL")
assert typ == "OK", data
typ, data = M._untagged_response("OK", [None], "ESEARCH")
assert data[0].endswith(b" MIN 1 MAX 4 COUNT 4"), data
typ, data = M.sort("(SUBJECT REVERSE DATE)", "UTF-8", "ALL"); assert typ == "OK" and data == [b"4 2 3 1"], data
typ, data = M.uid("SORT", "(FROM)", "UTF-8", "ALL"); assert typ == "OK" and data == [b"3 2 1 4"], data
run("SORT", "RETURN", "(ALL)", "(DATE)", "UTF-8", "ALL")
typ, data = M._untagged_response("OK", [None], "ESEARCH"); assert data[0].endswith(b" ALL 2,1,3:4"), data
typ, data = M.thread("ORDEREDSUBJECT", "UTF-8", "ALL"); assert typ == "OK" and data == [b"(2 4)(1 3)"], data
typ, data = M.thread("REFERENCES", "UTF-8", "ALL"); assert typ == "OK" and data == [b"(2 4)(3 1)"], data
run("SEARCH", "RETURN", "(SAVE)", "SUBJECT", "alpha")
typ, data = M.fetch("$", "(UID)"); assert typ == "OK" and len(data) == 2, data
M.logout()
print("python-search-sort-thread-ok")
`;
    expect(await python(script)).to.contain("python-search-sort-thread-ok");
  });

  it("SEARCH RETURN (SAVE) and a FETCH $ sent in one write are answered in order, FETCH seeing the saved result", async () => {
    server = await withMessages();
    const c = await loggedIn(server.imap);
    try {
      await c.run("SELECT INBOX");
      const [saved, fetched] = await Promise.all([c.run("SEARCH RETURN (SAVE) FROM bob"), c.run("FETCH $ (FLAGS)")]);
      expect(saved.tagged).to.match(/ OK /);
      expect(saved.untagged).to.deep.equal([]);
      expect(fetched.untagged.map((l) => l.split(" ")[1])).to.deep.equal(["2"]);
    } finally {
      c.close();
    }
  });

  it("SEARCH TEXT finds the text of a message without any header field or blank line", async () => {
    server = await startImapServer();
    await server.store.deliver("alice", Buffer.from("needle in a message without a header\r\nsecond line\r\n"));
    await server.store.deliver("alice", Buffer.from("\r\nneedle after an empty header\r\n"));
    const c = await loggedIn(server.imap);
    try {
      await c.run("SELECT INBOX");
      expect((await c.run("SEARCH TEXT needle")).untagged).to.deep.equal(["* SEARCH 1 2"]);
      expect((await c.run('SEARCH TEXT "second line"')).untagged).to.deep.equal(["* SEARCH 1"]);
      expect((await c.run("SEARCH BODY needle")).untagged).to.deep.equal(["* SEARCH 2"]);
    } finally {
      c.close();
    }
  });
});

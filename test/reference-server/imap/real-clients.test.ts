// Real IMAP clients against the reference server over real sockets: imapflow
// (login, list, status, fetch with bodyStructure and envelope, search,
// append, move, flags, IDLE told of an SMTP delivery at once, the lecture's
// two example messages fetched by part and decoded), curl (imap:// and
// imaps:// list and fetch) and Python's imaplib (STARTTLS, SELECT, SEARCH,
// FETCH, STORE, EXPUNGE).
// Standards: RFC 3501, RFC 2177, RFC 6851, RFC 4315, RFC 2045-2047.

import { expect } from "chai";
import { execFile } from "node:child_process";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { startImapServer, type ImapTestServer } from "./support/imap-server.ts";

const CLIENT_TIMEOUT_MS = 15_000;

/** The lecture's first example: multipart/mixed with a base64 JPEG. */
function jpegMessage(jpeg: Buffer): Buffer {
  const b64 = jpeg.toString("base64").match(/.{1,76}/g)!.join("\r\n");
  return Buffer.from(
    [
      "From: Max Mustermann <max@example.test>",
      "To: Alice <alice@example.test>",
      "Subject: Urlaubsfoto",
      "Date: Tue, 3 Mar 2020 10:00:00 +0100",
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="XYZ"',
      "",
      "--XYZ",
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "Hier das Foto.",
      "--XYZ",
      'Content-Type: image/jpeg; name="foto.jpg"',
      "Content-Transfer-Encoding: base64",
      'Content-Disposition: attachment; filename="foto.jpg"',
      "",
      b64,
      "--XYZ--",
      "",
    ].join("\r\n"),
  );
}

/** The lecture's second example: ISO-8859-1 text sent as 8bit. */
function latin1Message(): Buffer {
  return Buffer.from(
    [
      "From: Max Mustermann <max@example.test>",
      "To: Alice <alice@example.test>",
      "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=",
      "Date: Tue, 3 Mar 2020 11:00:00 +0100",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=ISO-8859-1",
      "Content-Transfer-Encoding: 8bit",
      "",
      "Schöne Grüße aus Köln",
      "",
    ].join("\r\n"),
    "latin1",
  );
}

function fakeJpeg(): Buffer {
  const bytes = Buffer.alloc(2000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
  bytes[0] = 0xff;
  bytes[1] = 0xd8;
  return bytes;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: CLIENT_TIMEOUT_MS, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

describe("IMAP real clients", function () {
  this.timeout(30_000);
  let server: ImapTestServer;
  beforeEach(async () => {
    server = await startImapServer();
  });
  afterEach(async () => server.stop());

  function flow(): ImapFlow {
    return new ImapFlow({
      host: "127.0.0.1",
      port: server.imap,
      secure: false,
      auth: { user: "alice", pass: "alice-pw" },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
  }

  it("imapflow: login, list, status, fetch with bodyStructure and envelope, search, append, move, flags", async () => {
    await server.store.deliver("alice", jpegMessage(fakeJpeg()));
    const client = flow();
    await client.connect();
    try {
      const names = (await client.list()).map((m) => m.path);
      expect(names).to.include.members(["INBOX", "Sent", "Drafts", "Trash", "Junk"]);
      expect((await client.list()).find((m) => m.path === "Sent")!.specialUse).to.equal("\\Sent");
      const status = await client.status("INBOX", { messages: true, uidNext: true, unseen: true });
      expect(status && status.messages).to.equal(1);
      expect(status && status.unseen).to.equal(1);

      const appended = await client.append("INBOX", latin1Message(), ["\\Seen", "$Work"], new Date("2020-03-03T10:00:00Z"));
      expect(appended && appended.uid).to.equal(2);

      const lock = await client.getMailboxLock("INBOX");
      try {
        const messages = [];
        for await (const m of client.fetch("1:*", { uid: true, flags: true, envelope: true, bodyStructure: true, size: true })) messages.push(m);
        expect(messages).to.have.length(2);
        expect(messages[0]!.envelope!.subject).to.equal("Urlaubsfoto");
        expect(messages[0]!.envelope!.from![0]!.address).to.equal("max@example.test");
        expect(messages[0]!.bodyStructure!.type).to.equal("multipart/mixed");
        expect(messages[0]!.bodyStructure!.childNodes![1]!.type).to.equal("image/jpeg");
        expect(messages[1]!.envelope!.subject).to.equal("Grüße");
        expect([...messages[1]!.flags!]).to.include.members(["\\Seen", "$Work"]);

        expect(await client.search({ seen: false })).to.deep.equal([1]);
        expect(await client.search({ subject: "Grüße" })).to.deep.equal([2]);
        expect(await client.search({ body: "Foto" })).to.deep.equal([1]);

        await client.messageFlagsAdd("1", ["\\Flagged"]);
        const [flagged] = await Promise.all([client.fetchOne("1", { flags: true })]);
        expect([...(flagged as { flags: Set<string> }).flags]).to.include("\\Flagged");

        const moved = await client.messageMove("2", "Trash");
        expect(moved && moved.uidMap && moved.uidMap.get(2)).to.equal(1);
        expect(client.mailbox && client.mailbox.exists).to.equal(1);
      } finally {
        lock.release();
      }
      const trash = await client.status("Trash", { messages: true });
      expect(trash && trash.messages).to.equal(1);
    } finally {
      await client.logout();
    }
  });

  it("imapflow: the lecture's two examples come back decoded when fetched by part number", async () => {
    const jpeg = fakeJpeg();
    await server.store.deliver("alice", jpegMessage(jpeg));
    await server.store.deliver("alice", latin1Message());
    const client = flow();
    await client.connect();
    try {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const image = await client.download("1", "2");
        expect(image.meta?.contentType).to.equal("image/jpeg");
        expect((await streamToBuffer(image.content!)).equals(jpeg)).to.equal(true);
        const text = await client.download("2", "1");
        expect((await streamToBuffer(text.content!)).toString("utf8")).to.contain("Schöne Grüße aus Köln");
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it("imapflow: IDLE hears of a message delivered by SMTP at once", async () => {
    const client = flow();
    await client.connect();
    try {
      const lock = await client.getMailboxLock("INBOX");
      try {
        const exists = new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no EXISTS within 10 s")), 10_000);
          client.on("exists", (data: { count: number }) => {
            clearTimeout(timer);
            resolve(data.count);
          });
        });
        // No wait for the "+ idling": a delivery that lands before IDLE starts is pending in the session's
        // view and sent the moment IDLE begins (view.ts changed()), so EXISTS arrives either way.
        void client.idle();
        const transport = nodemailer.createTransport({ host: "127.0.0.1", port: server.ports.smtp, secure: false, ignoreTLS: true });
        await transport.sendMail({ from: "bob@example.test", to: "alice@example.test", subject: "ping", text: "hello" });
        expect(await exists).to.equal(1);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it("curl: imap:// and imaps:// list mailboxes and fetch a message", async () => {
    await server.store.deliver("alice", latin1Message());
    const listing = await run("curl", ["-s", "--max-time", "10", "-u", "alice:alice-pw", `imap://127.0.0.1:${server.imap}/`]);
    expect(listing).to.match(/\* LIST \(.*\) "\/" "?INBOX"?/);
    expect(listing).to.contain("Sent");
    const message = await run("curl", ["-s", "--max-time", "10", "-u", "alice:alice-pw", `imap://127.0.0.1:${server.imap}/INBOX;UID=1`]);
    expect(message).to.contain("Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=");
    const secure = await run("curl", ["-s", "-k", "--max-time", "10", "-u", "alice:alice-pw", `imaps://127.0.0.1:${server.imaps}/INBOX;UID=1`]);
    expect(secure).to.contain("Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=");
    const secureList = await run("curl", ["-s", "-k", "--max-time", "10", "-u", "alice:alice-pw", `imaps://127.0.0.1:${server.imaps}/`]);
    expect(secureList).to.contain("INBOX");
  });

  it("python imaplib: STARTTLS, SELECT, SEARCH, FETCH, STORE, EXPUNGE", async () => {
    await server.store.deliver("alice", latin1Message());
    await server.store.deliver("alice", jpegMessage(fakeJpeg()));
    const script = `
import imaplib, ssl, sys
M = imaplib.IMAP4("127.0.0.1", ${server.imap})
M.starttls(ssl_context=ssl._create_unverified_context())
assert "STARTTLS" not in M.capabilities, M.capabilities
M.login("alice", "alice-pw")
typ, data = M.select("INBOX"); assert typ == "OK" and data == [b"2"], data
typ, data = M.search(None, "SUBJECT", "Urlaubsfoto"); assert data == [b"2"], data
typ, data = M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"); assert b"Subject: =?ISO-8859-1?Q?Gr=FC=DFe?=" in data[0][1], data
typ, data = M.store("1", "+FLAGS", "(\\\\Deleted)"); assert typ == "OK" and b"\\\\Deleted" in data[0], data
typ, data = M.expunge(); assert data == [b"1"], data
typ, data = M.search(None, "ALL"); assert data == [b"1"], data
typ, data = M.fetch("1", "(RFC822)"); assert b"Urlaubsfoto" in data[0][1]
M.close(); M.logout()
print("python-ok")
`;
    expect(await run("python3", ["-c", script])).to.contain("python-ok");
  });
});

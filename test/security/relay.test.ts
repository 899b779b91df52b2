// Never an open relay: every way of naming a foreign recipient is refused,
// before and after AUTH, while local addresses in any letter case still
// deliver; and the smuggling variants of end-of-data never split a message.
// Standards: RFC 5321 §3.6.2 and §7.1 (relaying), §4.1.1.3 (source routes), §2.3.8 and §4.1.1.4 (CRLF.CRLF), RFC 4954.

import { expect } from "chai";
import { startTestServer, type TestServer } from "../reference-server/support/server.ts";
import { LineClient } from "../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../runner/session/line-replies.ts";

const FOREIGN = [
  "<user@other.test>",
  "<USER@OTHER.TEST>",
  "<@example.test:user@other.test>",
  "<@example.test,@relay.test:user@other.test>",
  "<user@[1.2.3.4]>",
  "<user@[127.0.0.1]>",
  "<user@[IPv6:::1]>",
  "<alice@example.test.other.test>",
  "<alice@sub.example.test>",
  "<alice@example.test.>",
];
// Relay through the local part (sendmail's % hack, quoted @, bang paths): refused as unknown users, never forwarded.
const LOCAL_PART_TRICKS = ["<user%other.test@example.test>", '<"user@other.test"@example.test>', "<other.test!user@example.test>", '<"alice@example.test"@other.test>'];

async function session(port: number, auth: boolean): Promise<LineClient> {
  const c = await LineClient.connect({ port });
  expect((await readSmtpReply(c)).code).to.equal(220);
  expect((await smtpCommand(c, "EHLO client.test")).code).to.equal(250);
  if (auth) expect((await smtpCommand(c, `AUTH PLAIN ${Buffer.from("\0alice\0alice-pw").toString("base64")}`)).code).to.equal(235);
  expect((await smtpCommand(c, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
  return c;
}

describe("security: relaying", () => {
  let server: TestServer;
  before(async () => (server = await startTestServer()));
  after(() => server.stop());

  for (const auth of [false, true]) {
    it(`refuses every foreign recipient form ${auth ? "after" : "without"} AUTH with a 5xx`, async () => {
      const c = await session(server.ports.smtp, auth);
      for (const rcpt of [...FOREIGN, ...LOCAL_PART_TRICKS]) {
        const r = await smtpCommand(c, `RCPT TO:${rcpt}`);
        expect(r.code, `RCPT TO:${rcpt} → ${r.lines.join(" | ")}`).to.be.within(500, 599);
      }
      // No recipient was taken, so DATA has nothing to deliver.
      expect((await smtpCommand(c, "DATA")).code).to.equal(503);
      c.close();
    });
  }

  it("delivers to a local address written in upper case, and to postmaster without a domain", async () => {
    const c = await session(server.ports.smtp, false);
    expect((await smtpCommand(c, "RCPT TO:<BOB@EXAMPLE.TEST>")).code).to.equal(250);
    expect((await smtpCommand(c, "RCPT TO:<Postmaster>")).code).to.equal(250);
    expect((await smtpCommand(c, "DATA")).code).to.equal(354);
    c.send("Subject: upper\r\n\r\nhi\r\n.\r\n");
    expect((await readSmtpReply(c)).code).to.equal(250);
    c.close();
    const bobs = await (await server.store.mailbox("bob", "INBOX")).status();
    expect(bobs.messages).to.have.length(1);
  });

  // The server-side view of the smuggling variants (the SMTP suite checks the same from the wire).
  const SMUGGLING = [
    ["<LF>.<LF>", "body\n.\nMAIL FROM:<evil@other.test>\r\nRCPT TO:<bob@example.test>\r\n"],
    ["<LF>.<CR><LF>", "body\n.\r\nMAIL FROM:<evil@other.test>\r\n"],
    ["<CR><LF>.<LF>", "body\r\n.\nMAIL FROM:<evil@other.test>\r\n"],
    ["<CR>.<CR>", "body\r.\rMAIL FROM:<evil@other.test>\r\n"],
    ["<CR>.<CR><LF>", "body\r.\r\nMAIL FROM:<evil@other.test>\r\n"],
    ["<CR><LF>.<CR>", "body\r\n.\rMAIL FROM:<evil@other.test>\r\n"],
    ["<CR><LF>..<CR><LF> (a stuffed dot)", "body\r\n..\r\nMAIL FROM:<evil@other.test>\r\n"],
    ["<NUL>.<CR><LF>", "body\r\n\0.\r\nMAIL FROM:<evil@other.test>\r\n"],
  ] as const;
  for (const [name, body] of SMUGGLING) {
    it(`a ${name} inside DATA neither ends the message nor starts a smuggled command`, async () => {
      const before = (await (await server.store.mailbox("bob", "INBOX")).status()).messages.length;
      const c = await session(server.ports.smtp, false);
      expect((await smtpCommand(c, "RCPT TO:<bob@example.test>")).code).to.equal(250);
      expect((await smtpCommand(c, "DATA")).code).to.equal(354);
      c.send(`Subject: smuggle\r\n\r\n${body}\r\n.\r\n`);
      const r = await readSmtpReply(c);
      // Either refused as a whole (bare CR/LF policy) or accepted as one message: never a 250 followed by a second transaction.
      if (r.code === 250) {
        const after = await (await server.store.mailbox("bob", "INBOX")).status();
        expect(after.messages.length).to.equal(before + 1);
      } else expect(r.code).to.be.within(550, 554);
      // Replies come in order: a smuggled MAIL's reply (2.1.0, or 503) would be read here instead of NOOP's 2.0.0.
      const noop = await smtpCommand(c, "NOOP");
      expect(`${noop.code} ${noop.text}`, "a smuggled command got its own reply").to.match(/^250 2\.0\.0 /);
      c.close();
    });
  }
});

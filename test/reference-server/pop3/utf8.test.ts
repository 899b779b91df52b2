// POP3 UTF-8 mode and LANG (RFC 6856) over real sockets: CAPA lists UTF8
// USER and LANG in both states; UTF8 only in AUTHORIZATION and without
// arguments; a message with a UTF-8 header refused with -ERR [UTF8] by RETR
// and TOP before UTF8 and sent byte for byte after it; STLS refused after
// UTF8; UTF-8 user names and passwords (SASLprep'd, malformed UTF-8 refused);
// LANG's listing, its "+OK tag text" answer and its refusal.

import { expect } from "chai";
import { createHash } from "node:crypto";
import { after, afterEach, beforeEach, describe, it } from "mocha";
import { LineClient } from "../../../runner/session/line-client.ts";
import { pop3Command, readPop3Body } from "../../../runner/session/line-replies.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";

const UTF8_HEADER = Buffer.from("Subject: Grüße aus Köln\r\nFrom: a@b.test\r\n\r\nbody\r\n", "utf8");
const ASCII_HEADER_8BIT_BODY = Buffer.from("Subject: plain\r\n\r\nGrüße\r\n", "utf8");

async function greeted(server: TestServer): Promise<LineClient> {
  const client = await LineClient.connect({ port: server.ports.pop3 });
  expect(await client.readLine()).to.match(/^\+OK /);
  return client;
}

async function loggedIn(client: LineClient, user = "alice", password = `${user}-pw`): Promise<void> {
  expect(await pop3Command(client, `USER ${user}`)).to.match(/^\+OK/);
  expect(await pop3Command(client, `PASS ${password}`)).to.match(/^\+OK/);
}

describe("POP3 UTF-8 mode and LANG (reference server)", function () {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer((config) => {
      // NFC "jörg" with a non-ASCII password: a client may send either in any normalization SASLprep maps to these.
      config.users.push({ name: "jörg", password: "plain:pässwort", address: "joerg@example.test", aliases: [] });
    });
    await server.store.deliver("alice", UTF8_HEADER);
    await server.store.deliver("alice", ASCII_HEADER_8BIT_BODY);
  });
  afterEach(async () => {
    await server.stop();
  });
  after(removeTestDataDir);

  it("lists UTF8 USER and LANG in CAPA before and after login", async () => {
    const client = await greeted(server);
    try {
      for (let state = 0; state < 2; state++) {
        expect(await pop3Command(client, "CAPA")).to.match(/^\+OK/);
        const lines = (await readPop3Body(client)).toString("latin1").split("\r\n");
        expect(lines).to.include.members(["UTF8 USER", "LANG"]);
        if (state === 0) await loggedIn(client);
      }
    } finally {
      client.close();
    }
  });

  it("refuses RETR and TOP of a message with a UTF-8 header with -ERR [UTF8] before UTF8, and sends it as stored after", async () => {
    const before = await greeted(server);
    try {
      await loggedIn(before);
      expect(await pop3Command(before, "RETR 1")).to.match(/^-ERR \[UTF8\] /);
      expect(await pop3Command(before, "TOP 1 0")).to.match(/^-ERR \[UTF8\] /);
      // Only the header decides: 8-bit body octets under an ASCII header are sent (8BITMIME content).
      expect(await pop3Command(before, "RETR 2")).to.match(/^\+OK/);
      expect(await readPop3Body(before)).to.deep.equal(ASCII_HEADER_8BIT_BODY);
      expect(await pop3Command(before, "QUIT")).to.match(/^\+OK/);
    } finally {
      before.close();
    }
    const after = await greeted(server);
    try {
      expect(await pop3Command(after, "UTF8")).to.match(/^\+OK/);
      await loggedIn(after);
      expect(await pop3Command(after, "LIST 1")).to.equal(`+OK 1 ${UTF8_HEADER.length}`);
      expect(await pop3Command(after, "RETR 1")).to.match(/^\+OK/);
      expect(await readPop3Body(after)).to.deep.equal(UTF8_HEADER);
      expect(await pop3Command(after, "TOP 1 0")).to.match(/^\+OK/);
      expect((await readPop3Body(after)).toString("utf8")).to.equal("Subject: Grüße aus Köln\r\nFrom: a@b.test\r\n\r\n");
    } finally {
      after.close();
    }
  });

  it("takes UTF8 only in AUTHORIZATION and without arguments, and refuses STLS after it", async () => {
    const client = await greeted(server);
    try {
      expect(await pop3Command(client, "UTF8 please")).to.match(/^-ERR /);
      expect(await pop3Command(client, "utf8")).to.match(/^\+OK/);
      expect(await pop3Command(client, "STLS")).to.match(/^-ERR /);
      await loggedIn(client);
      expect(await pop3Command(client, "UTF8")).to.match(/^-ERR /);
    } finally {
      client.close();
    }
  });

  it("logs in with a UTF-8 user name and password, SASLprep'd, before or after UTF8; malformed UTF-8 is refused", async () => {
    const nfc = await greeted(server);
    try {
      await loggedIn(nfc, "jörg", "pässwort");
    } finally {
      nfc.close();
    }
    const decomposed = await greeted(server);
    try {
      expect(await pop3Command(decomposed, "UTF8")).to.match(/^\+OK/);
      // "o" + COMBINING DIAERESIS: SASLprep (NFKC) makes it "ö".
      await loggedIn(decomposed, "jo\u0308rg", "pa\u0308sswort");
    } finally {
      decomposed.close();
    }
    const malformed = await greeted(server);
    try {
      void malformed.send(Buffer.from([...Buffer.from("USER j"), 0xc3, 0x28, 0x72, 0x67, 0x0d, 0x0a]));
      expect(await malformed.readLine()).to.match(/^-ERR .*not valid UTF-8/);
      expect(await pop3Command(malformed, "USER jörg")).to.match(/^\+OK/);
      void malformed.send(Buffer.from([...Buffer.from("PASS p"), 0xff, 0x0d, 0x0a]));
      expect(await malformed.readLine()).to.match(/^-ERR .*not valid UTF-8/);
    } finally {
      malformed.close();
    }
  });

  it("takes APOP with a UTF-8 name SASLprep'd, the digest made over the UTF-8 password", async () => {
    const client = await LineClient.connect({ port: server.ports.pop3 });
    try {
      const timestamp = /(<[^>]+>)/.exec(await client.readLine())![1]!;
      const digest = createHash("md5").update(Buffer.from(timestamp + "pässwort", "utf8")).digest("hex");
      expect(await pop3Command(client, `APOP jo\u0308rg ${digest}`)).to.match(/^\+OK/);
    } finally {
      client.close();
    }
  });

  it("answers LANG with a listing, LANG en / EN / * with '+OK en <text>', and an unknown language with -ERR", async () => {
    const client = await greeted(server);
    try {
      expect(await pop3Command(client, "LANG")).to.match(/^\+OK/);
      expect((await readPop3Body(client)).toString("utf8")).to.equal("en English\r\n");
      for (const range of ["en", "EN", "*"]) expect(await pop3Command(client, `LANG ${range}`)).to.match(/^\+OK en \S/);
      expect(await pop3Command(client, "LANG de")).to.match(/^-ERR /);
      expect(await pop3Command(client, "LANG en-US")).to.match(/^-ERR /);
      await loggedIn(client);
      expect(await pop3Command(client, "LANG en")).to.match(/^\+OK en \S/);
    } finally {
      client.close();
    }
  });
});

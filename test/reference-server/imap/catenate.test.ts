// APPEND ... CATENATE on the reference server, the URL forms the suite does
// not send: a URL without a mailbox (the selected one), ;PARTIAL=, a part
// number, an absolute imap:// URL for this server and user, and the BADURL
// refusals for another server, a wrong UIDVALIDITY and a missing part, each
// naming its URL and leaving the mailbox as it was.
// Standards: RFC 4469 §3-§5, RFC 5092 §6.

import { expect } from "chai";
import { defaultConfig } from "../../../reference-server/config/defaults.ts";
import { loggedIn, startImapServer, type ImapTestServer } from "./support/imap-server.ts";
import type { ImapLineClient } from "../../../runner/session/imap-line-client.ts";

const HOST = defaultConfig().hostname;

const SOURCE = [
  "From: a@example.test",
  'Content-Type: multipart/mixed; boundary="b"',
  "",
  "--b",
  "Content-Type: text/plain",
  "",
  "first part",
  "--b",
  "Content-Type: text/plain",
  "",
  "second part",
  "--b--",
  "",
].join("\r\n");

describe("reference-server imap: APPEND CATENATE", () => {
  let server: ImapTestServer | undefined;
  let c: ImapLineClient | undefined;
  let uidValidity = "";

  beforeEach(async () => {
    server = await startImapServer();
    c = await loggedIn(server.imap);
    expect((await c.run("CREATE box")).status).to.equal("OK");
    expect((await c.run("APPEND box", SOURCE)).status).to.equal("OK");
    const selected = await c.run("SELECT box");
    uidValidity = /UIDVALIDITY (\d+)/.exec(selected.untagged.join("\n"))![1]!;
  });
  afterEach(async () => {
    c?.close();
    await server?.stop();
    server = undefined;
  });

  const catenate = (parts: string) => c!.run(`APPEND box CATENATE (${parts})`);
  const body = async (n: number) => {
    const r = await c!.run(`FETCH ${n} BODY.PEEK[]`);
    const m = /BODY\[\] (?:\{\d+\}\r\n([\s\S]*)|"(.*)")\)$/.exec(r.untagged.find((u) => u.startsWith(`* ${n} FETCH`)) ?? "");
    return m?.[1] ?? m?.[2];
  };

  it("joins a part of the selected mailbox's message (no mailbox in the URL) and a ;PARTIAL= range of another", async () => {
    const done = await catenate(`URL ";UID=1/;SECTION=2" URL "/box;UIDVALIDITY=${uidValidity}/;UID=1/;SECTION=1/;PARTIAL=0.5"`);
    expect(done.status, done.tagged).to.equal("OK");
    await c!.run("NOOP");
    expect(await body(2)).to.equal("second partfirst");
  });

  it("takes an absolute imap:// URL naming this server and the session's user", async () => {
    const done = await catenate(`URL "imap://alice@${HOST}/box/;UID=1/;SECTION=1"`);
    expect(done.status, done.tagged).to.equal("OK");
    await c!.run("NOOP");
    expect(await body(2)).to.equal("first part");
  });

  for (const [what, url] of [
    ["another server", "imap://alice@elsewhere.example/box/;UID=1"],
    ["another user", "imap://bob@HOST/box/;UID=1"],
    ["a UIDVALIDITY that is not the mailbox's", "/box;UIDVALIDITY=1/;UID=1"],
    ["a part that does not exist", "/box/;UID=1/;SECTION=7"],
    ["a UID that does not exist", "/box/;UID=9"],
    ["a mailbox that does not exist", "/nosuchbox/;UID=1"],
  ] as const) {
    it(`refuses a URL naming ${what} with NO [BADURL url], appending nothing`, async () => {
      const written = url.replace("HOST", HOST);
      const done = await catenate(`TEXT {3+}\r\nabc URL "${written}"`);
      expect(done.tagged).to.match(new RegExp(`NO \\[BADURL ${written.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\]`));
      const status = await c!.run("STATUS box (MESSAGES)");
      expect(status.untagged).to.include('* STATUS "box" (MESSAGES 1)');
    });
  }
});

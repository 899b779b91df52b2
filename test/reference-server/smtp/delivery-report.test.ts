// Failure reports (RFC 3461, RFC 3464): a recipient whose mailbox is over its
// quota fails after the transaction's 250, and the sender gets a
// multipart/report with Action failed, unless NOTIFY=NEVER; with every
// recipient over quota DATA itself gets 552 5.2.2. LMTP answers that
// recipient alone with 552 5.2.2 (RFC 2033 §4.2) and sends no report.

import { expect } from "chai";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

const MESSAGE = "Subject: over quota\r\n\r\nthe body line\r\n.";

describe("SMTP failure reports (reference server)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer((config) => {
      config.users.push({ name: "full", password: "plain:full-pw", address: "full@example.test", aliases: [], quota: { storageKiB: null, messages: 0 } });
    });
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  /** One transaction; the reply to the end of data and what it stored, by user. */
  async function transaction(port: number, hello: string, mail: string, rcpts: string[]): Promise<{ reply: string; stored: { user: string; message: string }[] }> {
    const client = await LineClient.connect({ port });
    try {
      await readSmtpReply(client);
      await smtpCommand(client, hello);
      const before = server.store.deliveries.length;
      expect((await smtpCommand(client, mail)).code).to.equal(250);
      for (const rcpt of rcpts) expect((await smtpCommand(client, rcpt)).code, rcpt).to.equal(250);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      void client.send(MESSAGE + "\r\n");
      const replies = [];
      for (let i = 0; i < (hello.startsWith("LHLO") ? rcpts.length : 1); i++) {
        const r = await readSmtpReply(client);
        replies.push(`${r.code} ${r.text}`);
      }
      return { reply: replies.join("\n"), stored: server.store.deliveries.slice(before).map((d) => ({ user: d.user, message: d.message.toString("latin1") })) };
    } finally {
      client.close();
    }
  }

  function parts(report: string): string[] {
    const boundary = /boundary="([^"]+)"/.exec(report)![1]!;
    return report.split(`\r\n--${boundary}`);
  }

  it("accepts the message for the others and reports the over-quota recipient as failed (RET=HDRS: the header only)", async () => {
    const { reply, stored } = await transaction(server.ports.smtp, "EHLO client.test", "MAIL FROM:<alice@example.test> RET=HDRS ENVID=q1", [
      "RCPT TO:<bob@example.test>",
      "RCPT TO:<full@example.test> NOTIFY=FAILURE",
    ]);
    expect(reply).to.match(/^250 /);
    expect(stored.map((d) => d.user)).to.have.members(["bob", "alice"]);
    const report = stored.find((d) => d.user === "alice")!.message;
    expect(report).to.match(/^Return-Path: <>\r\n/);
    expect(report).to.match(/^Subject: Delivery Status Notification \(failure\)\r\n/m);
    const [, , status, returned] = parts(report);
    expect(status).to.match(/^\r\nContent-Type: message\/delivery-status\r\n\r\nReporting-MTA: dns; mail\.example\.test\r\nOriginal-Envelope-Id: q1\r\nArrival-Date: /);
    expect(status).to.include("\r\n\r\nFinal-Recipient: rfc822; full@example.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 5.2.2 mailbox full");
    expect(status).to.not.include("bob@");
    expect(returned).to.equal("\r\nContent-Type: text/rfc822-headers\r\n\r\nSubject: over quota\r\n");
  });

  it("returns the whole message as message/rfc822 for RET=FULL, and reports on failure when NOTIFY was not given", async () => {
    const { stored } = await transaction(server.ports.smtp, "EHLO client.test", "MAIL FROM:<alice@example.test> RET=FULL", ["RCPT TO:<bob@example.test>", "RCPT TO:<full@example.test>"]);
    const report = stored.find((d) => d.user === "alice")!.message;
    const returned = parts(report)[3]!;
    expect(returned.slice(0, 80)).to.match(/^\r\nContent-Type: message\/rfc822\r\n\r\n(Return-Path|Received): /);
    expect(returned).to.include("\r\nSubject: over quota\r\n\r\nthe body line\r\n");
  });

  it("sends no report for NOTIFY=NEVER, none for NOTIFY=SUCCESS alone, and none to the null reverse-path", async () => {
    for (const [mail, rcpt] of [
      ["MAIL FROM:<alice@example.test>", "RCPT TO:<full@example.test> NOTIFY=NEVER"],
      ["MAIL FROM:<alice@example.test>", "RCPT TO:<full@example.test> NOTIFY=SUCCESS"],
      ["MAIL FROM:<>", "RCPT TO:<full@example.test>"],
    ] as const) {
      const { reply, stored } = await transaction(server.ports.smtp, "EHLO client.test", mail, ["RCPT TO:<bob@example.test>", rcpt]);
      expect(reply, rcpt).to.match(/^250 /);
      expect(stored.map((d) => d.user), `${mail} ${rcpt}`).to.deep.equal(["bob"]);
    }
  });

  it("answers DATA 552 5.2.2 when every recipient is over quota, and stores nothing", async () => {
    const { reply, stored } = await transaction(server.ports.smtp, "EHLO client.test", "MAIL FROM:<alice@example.test>", ["RCPT TO:<full@example.test>"]);
    expect(reply).to.match(/^552 5\.2\.2 /);
    expect(stored).to.deep.equal([]);
  });

  it("LMTP: the over-quota recipient alone gets 552 5.2.2, in RCPT order, and no report is sent", async () => {
    const { reply, stored } = await transaction(server.ports.lmtp, "LHLO client.test", "MAIL FROM:<alice@example.test>", ["RCPT TO:<full@example.test>", "RCPT TO:<bob@example.test>"]);
    const [first, second] = reply.split("\n");
    expect(first).to.match(/^552 5\.2\.2 /);
    expect(second).to.match(/^250 /);
    expect(stored.map((d) => d.user)).to.deep.equal(["bob"]);
  });
});

// DSN parameters (RFC 3461 §4): the xtext decoder, NOTIFY / ORCPT / RET /
// ENVID against their grammar, and the replies on a real socket (DSN
// advertised, values outside the grammar 501 5.5.4, others 555).

import { expect } from "chai";
import { ClientError } from "../../../reference-server/core/errors.ts";
import { decodeXtext, parseEnvid, parseNotify, parseOrcpt, parseRet } from "../../../reference-server/smtp/dsn.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

function syntaxError(parse: () => unknown): void {
  expect(parse).to.throw(ClientError).with.property("reason", "syntax");
}

describe("SMTP DSN parameters (reference server)", function () {
  it("decodes xtext hexchars and refuses a '+' without two upper-case hex digits, '=' and spaces", () => {
    expect(decodeXtext("QQ314159+2B42")).to.equal("QQ314159+42");
    expect(decodeXtext("a+3Db")).to.equal("a=b");
    expect(decodeXtext("")).to.equal("");
    for (const bad of ["a+2b", "a+Z1", "a+2", "a=b", "a b", "é"]) expect(decodeXtext(bad), bad).to.equal(null);
  });

  it("reads NOTIFY as NEVER alone or a list of SUCCESS, FAILURE, DELAY in any case", () => {
    expect(parseNotify("never")).to.equal("NEVER");
    expect([...(parseNotify("Success,DELAY") as Set<string>)]).to.deep.equal(["SUCCESS", "DELAY"]);
    for (const bad of ["NEVER,SUCCESS", "FAILURE,NEVER", "SOMETIMES", "SUCCESS,", ""]) syntaxError(() => parseNotify(bad));
    syntaxError(() => parseNotify(null));
  });

  it("reads ORCPT as addr-type;xtext, RET as FULL or HDRS, ENVID as 1-100 characters of xtext", () => {
    expect(parseOrcpt("rfc822;bob+2Bx@example.test")).to.deep.equal({ addrType: "rfc822", address: "bob+x@example.test" });
    for (const bad of ["bob@example.test", ";bob@example.test", "rfc822;", "rfc822;bob+zz@x", `rfc822;${"a".repeat(500)}`]) syntaxError(() => parseOrcpt(bad));
    expect(parseRet("hdrs")).to.equal("HDRS");
    expect(parseRet("FULL")).to.equal("FULL");
    for (const bad of ["BODY", "", null]) syntaxError(() => parseRet(bad));
    expect(parseEnvid("x".repeat(100))).to.have.length(100);
    for (const bad of ["x".repeat(101), "", "a+1", null]) syntaxError(() => parseEnvid(bad));
  });

  describe("on the wire", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.stop();
      await removeTestDataDir();
    });

    it("advertises DSN, takes valid parameters, answers 501 5.5.4 to invalid values and 555 to unknown ones", async () => {
      const client = await LineClient.connect({ port: server.ports.smtp });
      try {
        expect((await readSmtpReply(client)).code).to.equal(220);
        expect((await smtpCommand(client, "EHLO client.test")).lines).to.include("250-DSN");
        const badRet = await smtpCommand(client, "MAIL FROM:<alice@example.test> RET=BODY");
        expect([badRet.code, badRet.text.slice(0, 5)]).to.deep.equal([501, "5.5.4"]);
        expect((await smtpCommand(client, "MAIL FROM:<alice@example.test> RET=HDRS ENVID=id+2B1")).code).to.equal(250);
        expect((await smtpCommand(client, "RCPT TO:<bob@example.test> NOTIFY=NEVER,DELAY")).code).to.equal(501);
        expect((await smtpCommand(client, "RCPT TO:<bob@example.test> NOTIFY=SUCCESS ORCPT=rfc822;bob@example.test")).code).to.equal(250);
        expect((await smtpCommand(client, "RCPT TO:<bob@example.test> XUNKNOWN=1")).code).to.equal(555);
        expect((await smtpCommand(client, "RCPT TO:<bob@example.test> NOTIFY=FAILURE NOTIFY=DELAY")).code).to.equal(501);
      } finally {
        client.close();
      }
    });

    async function transaction(mail: string, rcpts: string[]): Promise<{ user: string; message: string }[]> {
      const client = await LineClient.connect({ port: server.ports.smtp });
      try {
        await readSmtpReply(client);
        await smtpCommand(client, "EHLO client.test");
        const before = server.store.deliveries.length;
        expect((await smtpCommand(client, mail)).code).to.equal(250);
        for (const rcpt of rcpts) expect((await smtpCommand(client, rcpt)).code).to.equal(250);
        expect((await smtpCommand(client, "DATA")).code).to.equal(354);
        expect((await smtpCommand(client, "Subject: asked\r\n\r\nbody\r\n.")).code).to.equal(250);
        return server.store.deliveries.slice(before).map((d) => ({ user: d.user, message: d.message.toString("latin1") }));
      } finally {
        client.close();
      }
    }

    it("puts a multipart/report 'delivered' report into a local sender's mailbox for the NOTIFY=SUCCESS recipients only", async () => {
      const stored = await transaction("MAIL FROM:<alice@example.test> ENVID=run+2B1", [
        "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2Bx@example.test",
        "RCPT TO:<postmaster@example.test> NOTIFY=FAILURE",
      ]);
      expect(stored.map((d) => d.user)).to.have.members(["bob", "alice", "alice"]);
      const reports = stored.filter((d) => /^Content-Type: multipart\/report; report-type=delivery-status;/m.test(d.message));
      expect(reports).to.have.length(1);
      const report = reports[0]!;
      expect(report.user).to.equal("alice");
      expect(report.message).to.match(/^Return-Path: <>\r\n/);
      const boundary = /boundary="([^"]+)"/.exec(report.message)![1]!;
      const parts = report.message.split(`\r\n--${boundary}`);
      // preamble, text/plain, message/delivery-status, text/rfc822-headers, and the close delimiter's "--".
      expect(parts).to.have.length(5);
      expect(parts[4]).to.equal("--\r\n");
      const status = parts[2]!;
      expect(status).to.match(/^\r\nContent-Type: message\/delivery-status\r\n\r\nReporting-MTA: dns; mail\.example\.test\r\nOriginal-Envelope-Id: run\+1\r\nArrival-Date: /);
      expect(status).to.include("\r\n\r\nOriginal-Recipient: rfc822; Bob+x@example.test\r\nFinal-Recipient: rfc822; bob@example.test\r\nAction: delivered\r\nStatus: 2.0.0\r\n");
      expect(status).to.not.include("postmaster");
      expect(parts[3]).to.match(/^\r\nContent-Type: text\/rfc822-headers\r\n\r\nSubject: asked\r\n$/);
    });

    it("sends no report for NOTIFY=NEVER or FAILURE, a null reverse-path, or a sender with no local mailbox", async () => {
      for (const [mail, rcpt] of [
        ["MAIL FROM:<alice@example.test>", "RCPT TO:<bob@example.test> NOTIFY=NEVER"],
        ["MAIL FROM:<alice@example.test>", "RCPT TO:<bob@example.test> NOTIFY=FAILURE,DELAY"],
        ["MAIL FROM:<>", "RCPT TO:<bob@example.test> NOTIFY=SUCCESS"],
        ["MAIL FROM:<someone@elsewhere.test>", "RCPT TO:<bob@example.test> NOTIFY=SUCCESS"],
      ] as const) {
        expect((await transaction(mail, [rcpt])).map((d) => d.user), `${mail} ${rcpt}`).to.deep.equal(["bob"]);
      }
    });
  });
});

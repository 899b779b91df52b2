// Table-driven SMTP dialogues against the reference server over real
// sockets: every malformed or out-of-sequence command gets its RFC reply
// (code and enhanced code) and the session goes on.

import { expect } from "chai";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

type Step = [send: string, code: number, enhanced?: string];

interface Case {
  title: string;
  /** Send EHLO first (default true). */
  ehlo?: boolean;
  steps: Step[];
}

const CASES: Case[] = [
  { title: "MAIL before EHLO is a bad sequence", ehlo: false, steps: [["MAIL FROM:<a@b.test>", 503, "5.5.1"], ["HELO client.test", 250], ["MAIL FROM:<a@b.test>", 250, "2.1.0"]] },
  { title: "RCPT before MAIL is a bad sequence", steps: [["RCPT TO:<alice@example.test>", 503, "5.5.1"]] },
  { title: "DATA before RCPT is a bad sequence", steps: [["DATA", 503, "5.5.1"], ["MAIL FROM:<>", 250], ["DATA", 503, "5.5.1"]] },
  { title: "nested MAIL is a bad sequence", steps: [["MAIL FROM:<a@b.test>", 250], ["MAIL FROM:<c@d.test>", 503, "5.5.1"]] },
  { title: "unknown command gets 500", steps: [["FROB", 500, "5.5.1"], ["NOOP", 250, "2.0.0"]] },
  { title: "garbage and NUL bytes get 500", steps: [["\u0000\u0001xx", 500], ["", 500, "5.5.2"], ["NOOP", 250]] },
  { title: "EHLO without argument gets 501", ehlo: false, steps: [["EHLO", 501], ["EHLO bad..domain", 501], ["EHLO [127.0.0.1]", 250]] },
  { title: "MAIL syntax errors get 501", steps: [["MAIL FROM:a@b.test", 501], ["MAIL TO:<a@b.test>", 501], ["MAIL FROM:<a@>", 501], ["MAIL FROM:<@b.test>", 501], ["MAIL FROM:<a@b.test", 501], ["MAIL FROM:<>", 250]] },
  { title: "unknown MAIL parameter gets 555", steps: [["MAIL FROM:<a@b.test> FOO=bar", 555, "5.5.4"], ["MAIL FROM:<a@b.test> BODY=8BITMIME", 250]] },
  { title: "bad BODY value gets 501", steps: [["MAIL FROM:<a@b.test> BODY=9BIT", 501], ["MAIL FROM:<a@b.test> BODY=7BIT", 250]] },
  { title: "declared SIZE over the limit gets 552", steps: [["MAIL FROM:<a@b.test> SIZE=999999999999", 552, "5.3.4"], ["MAIL FROM:<a@b.test> SIZE=1000", 250]] },
  { title: "RCPT parameters other than DSN's are not supported", steps: [["MAIL FROM:<a@b.test>", 250], ["RCPT TO:<alice@example.test> XFORWARD=1", 555, "5.5.4"], ["RCPT TO:<alice@example.test> NOTIFY=NEVER", 250]] },
  { title: "a foreign domain is relay denied", steps: [["MAIL FROM:<a@b.test>", 250], ["RCPT TO:<someone@elsewhere.test>", 550, "5.7.1"], ["RCPT TO:<alice@example.test>", 250, "2.1.5"]] },
  { title: "an unknown local user gets 550 5.1.1", steps: [["MAIL FROM:<a@b.test>", 250], ["RCPT TO:<nobody@example.test>", 550, "5.1.1"]] },
  { title: "postmaster exists in any case, with or without domain", steps: [["MAIL FROM:<>", 250], ["RCPT TO:<Postmaster>", 250], ["RCPT TO:<POSTMASTER@example.test>", 250]] },
  { title: "source routes are accepted and ignored", steps: [["MAIL FROM:<@relay.test:a@b.test>", 250], ["RCPT TO:<@relay.test,@x.test:bob@example.test>", 250]] },
  { title: "non-ASCII address needs SMTPUTF8", steps: [["MAIL FROM:<jösé@b.test>", 553, "5.6.7"], ["MAIL FROM:<jösé@b.test> SMTPUTF8", 250]] },
  { title: "RSET ends the transaction", steps: [["MAIL FROM:<a@b.test>", 250], ["RSET", 250, "2.0.0"], ["RCPT TO:<alice@example.test>", 503], ["RSET x", 501]] },
  { title: "VRFY answers 252, EXPN 502, HELP 214", steps: [["VRFY alice", 252, "2.5.0"], ["VRFY", 501], ["EXPN staff", 502], ["HELP", 214], ["NOOP whatever", 250]] },
  { title: "AUTH before EHLO is a bad sequence", ehlo: false, steps: [["AUTH PLAIN AGFsaWNlAGFsaWNlLXB3", 503]] },
  { title: "AUTH in a transaction is a bad sequence", steps: [["MAIL FROM:<a@b.test>", 250], ["AUTH PLAIN AGFsaWNlAGFsaWNlLXB3", 503, "5.5.1"]] },
  { title: "unknown SASL mechanism gets 504", steps: [["AUTH FANCY", 504, "5.5.4"], ["AUTH", 501]] },
  { title: "BDAT without a transaction is refused after reading the chunk", steps: [["BDAT 6\r\nNOOP", 503], ["NOOP", 250]] /* the chunk is "NOOP\r\n": never run as a command */ },
  { title: "DATA after BDAT is a bad sequence", steps: [["MAIL FROM:<a@b.test>", 250], ["RCPT TO:<bob@example.test>", 250], ["BDAT 7\r\nhello", 250], ["DATA", 503], ["BDAT 2 LAST\r\n", 250]] },
  { title: "over-long command line gets 500 5.5.2 and the session continues", steps: [["NOOP " + "x".repeat(600), 500, "5.5.2"], ["NOOP", 250]] },
  { title: "a 512-octet command line is accepted", steps: [["MAIL FROM:<" + "a".repeat(64) + "@" + "b".repeat(60) + ".test> " + "AUTH=" + "x".repeat(510 - 11 - 64 - 1 - 60 - 6 - 6 - 5), 250]] },
  { title: "STARTTLS with an argument gets 501", steps: [["STARTTLS now", 501]] },
];

describe("SMTP dialogues (reference server)", function () {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
    await removeTestDataDir();
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const client = await LineClient.connect({ port: server.ports.smtp });
      try {
        expect((await readSmtpReply(client)).code).to.equal(220);
        if (c.ehlo !== false) expect((await smtpCommand(client, "EHLO client.test")).code).to.equal(250);
        for (const [send, code, enhanced] of c.steps) {
          const reply = await smtpCommand(client, send);
          expect(reply.code, `${JSON.stringify(send.slice(0, 60))} → ${reply.lines.join(" | ")}`).to.equal(code);
          if (enhanced) expect(reply.text.split(" ")[0], `enhanced code for ${send.slice(0, 40)}`).to.equal(enhanced);
          else if (code >= 400) expect(reply.text, "every 4xx/5xx reply carries an enhanced code").to.match(/^[45]\.\d{1,3}\.\d{1,3} /);
        }
        expect((await smtpCommand(client, "QUIT")).code).to.equal(221);
        await client.closed();
      } finally {
        client.close();
      }
    });
  }

  it("answers a pipelined group in order, in one batch", async () => {
    const client = await LineClient.connect({ port: server.ports.smtp });
    try {
      await readSmtpReply(client);
      client.send(
        "EHLO client.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n",
      );
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push((await readSmtpReply(client)).code);
      expect(codes).to.deep.equal([250, 250, 250, 550, 250, 354]);
      expect((await smtpCommand(client, "Subject: pipelined\r\n\r\nbody\r\n.")).code).to.equal(250);
      expect(server.store.deliveries.slice(-2).map((d) => d.user).sort()).to.deep.equal(["alice", "bob"]);
    } finally {
      client.close();
    }
  });

  it("ends the session with 421 after too many bad commands", async () => {
    const limited = await startTestServer((config) => (config.smtp.maxBadCommands = 3));
    const client = await LineClient.connect({ port: limited.ports.smtp });
    try {
      await readSmtpReply(client);
      expect((await smtpCommand(client, "FOO")).code).to.equal(500);
      expect((await smtpCommand(client, "NOOP")).code).to.equal(250);
      expect((await smtpCommand(client, "BAR")).code).to.equal(500);
      client.send("BAZ\r\n");
      expect((await readSmtpReply(client)).code).to.equal(500);
      const last = await readSmtpReply(client);
      expect(last.code).to.equal(421);
      expect(last.text).to.match(/^4\.7\.0 /);
      await client.closed();
    } finally {
      client.close();
      await limited.stop();
    }
  });

  it("ends an idle session with 421 4.4.2", async () => {
    const quick = await startTestServer((config) => (config.smtp.commandTimeoutMs = 200));
    const client = await LineClient.connect({ port: quick.ports.smtp });
    try {
      await readSmtpReply(client);
      const reply = await readSmtpReply(client, 3000);
      expect(reply.code).to.equal(421);
      expect(reply.text).to.match(/^4\.4\.2 /);
      await client.closed();
    } finally {
      client.close();
      await quick.stop();
    }
  });

  it("refuses more recipients than the limit with 452 and keeps the others", async () => {
    const small = await startTestServer((config) => (config.smtp.maxRecipients = 100));
    const client = await LineClient.connect({ port: small.ports.smtp });
    try {
      await readSmtpReply(client);
      await smtpCommand(client, "EHLO client.test");
      await smtpCommand(client, "MAIL FROM:<a@b.test>");
      client.send("RCPT TO:<alice@example.test>\r\n".repeat(101));
      const codes: number[] = [];
      for (let i = 0; i < 101; i++) codes.push((await readSmtpReply(client)).code);
      expect(codes.filter((c) => c === 250)).to.have.length(100);
      expect(codes[100]).to.equal(452);
      expect((await smtpCommand(client, "DATA")).code).to.equal(354);
      expect((await smtpCommand(client, "x\r\n.")).code).to.equal(250);
      expect(small.store.deliveries).to.have.length(1);
    } finally {
      client.close();
      await small.stop();
    }
  });

  it("says 421 to open sessions when the server closes", async () => {
    const doomed = await startTestServer();
    const client = await LineClient.connect({ port: doomed.ports.smtp });
    try {
      await readSmtpReply(client);
      await smtpCommand(client, "EHLO client.test");
      const closing = doomed.stop();
      const reply = await readSmtpReply(client);
      expect(reply.code).to.equal(421);
      await client.closed();
      await closing;
    } finally {
      client.close();
    }
  });
});

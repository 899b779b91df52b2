// REQUIRETLS (RFC 8689): offered only on a TLS-protected session and not on
// LMTP; on a clear session the MAIL option is one no advertised extension
// defines (555), and the transaction is not opened.

import { expect } from "chai";
import { offersRequireTls } from "../../../reference-server/smtp/commands/ehlo.ts";
import type { SmtpSession } from "../../../reference-server/smtp/states.ts";
import { removeTestDataDir, startTestServer, type TestServer } from "../support/server.ts";
import { LineClient } from "../../../runner/session/line-client.ts";
import { readSmtpReply, smtpCommand } from "../../../runner/session/line-replies.ts";

describe("SMTP REQUIRETLS (reference server)", function () {
  it("is offered on a TLS session of the SMTP listener only", () => {
    const session = (tls: boolean, lmtp: boolean) => ({ conn: { tls }, lmtp }) as unknown as SmtpSession;
    expect(offersRequireTls(session(true, false))).to.equal(true);
    expect(offersRequireTls(session(false, false))).to.equal(false);
    expect(offersRequireTls(session(true, true))).to.equal(false);
  });

  describe("on a clear session", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => {
      await server.stop();
      await removeTestDataDir();
    });

    it("does not advertise REQUIRETLS and answers MAIL ... REQUIRETLS with 555 5.5.4, opening no transaction", async () => {
      const client = await LineClient.connect({ port: server.ports.smtp });
      try {
        await readSmtpReply(client);
        expect((await smtpCommand(client, "EHLO client.test")).lines.join("\n")).to.not.match(/REQUIRETLS/);
        const refused = await smtpCommand(client, "MAIL FROM:<alice@example.test> REQUIRETLS");
        expect([refused.code, refused.text.slice(0, 5)]).to.deep.equal([555, "5.5.4"]);
        expect((await smtpCommand(client, "MAIL FROM:<alice@example.test>")).code).to.equal(250);
      } finally {
        client.close();
      }
    });
  });
});

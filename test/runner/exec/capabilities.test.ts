// probeCapabilities: EHLO keywords with AUTH=<mech>, CAPA tags with
// SASL=<mech>, IMAP CAPABILITY before and after LOGIN, STARTTLS endpoints,
// and unreachable / broken servers reported as { ok: false } with a class.

import { expect } from "chai";
import net from "node:net";
import { probeCapabilities } from "../../../runner/exec/capabilities.ts";
import * as A from "../../support/ast.ts";
import { hang, line, reply, send, startScriptedServer, starttls, tagOf, type ScriptedServer } from "../../support/scripted-server.ts";

describe("exec: capability probe", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("SMTP: EHLO keywords, AUTH mechanisms, union across STARTTLS", async () => {
    server = await startScriptedServer([
      send("220 mx\r\n"),
      reply("250-mx\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"),
      reply("220 go\r\n"),
      starttls(),
      reply("250-mx\r\n250-AUTH PLAIN login\r\n250 pipelining\r\n"),
    ]);
    const probe = await probeCapabilities(A.target("smtp", server.port, "starttls", { insecure: true }), "smtp", 1000);
    expect(probe.ok && [...probe.advertised].sort()).to.deep.equal(["AUTH", "AUTH=LOGIN", "AUTH=PLAIN", "PIPELINING", "SIZE", "STARTTLS"]);
  });

  it("POP3: CAPA tags and SASL mechanisms", async () => {
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK\r\nTOP\r\nUIDL\r\nSASL PLAIN CRAM-MD5\r\n.\r\n")]);
    const probe = await probeCapabilities(A.target("pop3", server.port), "pop3", 1000);
    expect(probe.ok && [...probe.advertised].sort()).to.deep.equal(["SASL", "SASL=CRAM-MD5", "SASL=PLAIN", "TOP", "UIDL"]);
  });

  it("IMAP: CAPABILITY before and after LOGIN with the main user", async () => {
    server = await startScriptedServer([
      send("* OK ready\r\n"),
      line((l) => `* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tagOf(l)} OK done\r\n`),
      line((l) => `${tagOf(l)} ${l.endsWith('LOGIN "alice" "alice-secret-pw"') ? "OK" : "NO"} in\r\n`),
      line((l) => `* CAPABILITY IMAP4rev1 UIDPLUS MOVE\r\n${tagOf(l)} OK done\r\n`),
    ]);
    const probe = await probeCapabilities(A.target("imap", server.port), "imap", 1000);
    expect(probe.ok && [...probe.advertised].sort()).to.deep.equal(["AUTH=PLAIN", "IMAP4REV1", "MOVE", "UIDPLUS"]);
  });

  it("unreachable: ok false with class connection", async () => {
    const probeServer = net.createServer();
    await new Promise<void>((r) => probeServer.listen(0, "127.0.0.1", r));
    const port = (probeServer.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probeServer.close(() => r()));
    const probe = await probeCapabilities(A.target("smtp", port), "smtp", 500);
    expect(probe.ok).to.equal(false);
    expect(!probe.ok && probe.class).to.equal("connection");
  });

  it("silent server: ok false with class timeout, within the budget", async () => {
    server = await startScriptedServer([hang()]);
    const started = Date.now();
    const probe = await probeCapabilities(A.target("imap", server.port), "imap", 300);
    expect(!probe.ok && probe.class).to.equal("timeout");
    expect(Date.now() - started).to.be.below(2000);
  });

  it("missing endpoint: ok false", async () => {
    const probe = await probeCapabilities(A.target("smtp", 1), "pop3", 300);
    expect(!probe.ok && probe.reason).to.match(/no pop3 endpoint/);
  });
});

// probeCapabilities: EHLO keywords with AUTH=<mech>, CAPA tags with
// SASL=<mech>, IMAP CAPABILITY — each per state (before TLS, after STARTTLS,
// after login) — the IMAP personal namespace and KEYWORDS (PERMANENTFLAGS with \*), STARTTLS endpoints, an upgrade
// that fails where it is optional, and unreachable / broken servers reported
// as { ok: false } with a class.

import { expect } from "chai";
import net from "node:net";
import { probeCapabilities, type CapabilityResult } from "../../../runner/exec/capabilities.ts";
import * as A from "../../support/ast.ts";
import { close, hang, line, reply, send, startScriptedServer, starttls, tagOf, type ScriptedServer } from "../../support/scripted-server.ts";

/** The keywords of one state, sorted; undefined when the probe did not reach it. */
function state(probe: CapabilityResult, name: "before-tls" | "after-starttls" | "after-login"): string[] | undefined {
  if (!probe.ok) throw new Error(`probe failed: ${probe.reason}`);
  const set = probe.states[name];
  return set === undefined ? undefined : [...set].sort();
}

/** An IMAP command answered with untagged lines and a tagged OK. */
const imapOk = (...untagged: string[]) => line((l) => `${untagged.map((u) => `${u}\r\n`).join("")}${tagOf(l)} OK done\r\n`);

describe("exec: capability probe", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("SMTP: EHLO keywords and AUTH mechanisms, before and after STARTTLS on a STARTTLS endpoint", async () => {
    server = await startScriptedServer([
      send("220 mx\r\n"),
      reply("250-mx\r\n250-STARTTLS\r\n250 SIZE 1000\r\n"),
      reply("220 go\r\n"),
      starttls(),
      reply("250-mx\r\n250-AUTH PLAIN login\r\n250 pipelining\r\n"),
    ]);
    const probe = await probeCapabilities(A.target("smtp", server.port, "starttls", { insecure: true }), "smtp", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["SIZE", "STARTTLS"]);
    expect(state(probe, "after-starttls")).to.deep.equal(["AUTH", "AUTH=LOGIN", "AUTH=PLAIN", "PIPELINING"]);
    expect(probe.ok && [...probe.advertised].sort()).to.deep.equal(["AUTH", "AUTH=LOGIN", "AUTH=PLAIN", "PIPELINING", "SIZE", "STARTTLS"]);
  });

  it("SMTP: on a plain endpoint that offers STARTTLS, the probe upgrades to read what is offered after it (AUTH on submission)", async () => {
    server = await startScriptedServer([
      send("220 mx\r\n"),
      reply("250-mx\r\n250 STARTTLS\r\n"),
      reply("220 go\r\n"),
      starttls(),
      reply("250-mx\r\n250 AUTH PLAIN\r\n"),
    ]);
    const probe = await probeCapabilities(A.target("smtp", server.port, "none", { insecure: true }), "smtp", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["STARTTLS"]);
    expect(state(probe, "after-starttls")).to.deep.equal(["AUTH", "AUTH=PLAIN"]);
  });

  it("POP3: CAPA tags and SASL mechanisms before and after USER/PASS", async () => {
    server = await startScriptedServer([
      send("+OK pop\r\n"),
      reply("+OK\r\nTOP\r\nUSER\r\nSASL PLAIN CRAM-MD5\r\n.\r\n"),
      reply("+OK\r\n"),
      line((l) => (l === "PASS alice-secret-pw" ? "+OK in\r\n" : "-ERR no\r\n")),
      reply("+OK\r\nTOP\r\nUIDL\r\n.\r\n"),
    ]);
    const probe = await probeCapabilities(A.target("pop3", server.port), "pop3", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["SASL", "SASL=CRAM-MD5", "SASL=PLAIN", "TOP", "USER"]);
    expect(state(probe, "after-starttls")).to.equal(undefined);
    expect(state(probe, "after-login")).to.deep.equal(["TOP", "UIDL"]);
  });

  it("IMAP: LOGINDISABLED before TLS, AUTH= after STARTTLS, UIDPLUS after login, and the personal namespace from NAMESPACE", async () => {
    server = await startScriptedServer([
      send("* OK ready\r\n"),
      imapOk("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED"),
      line((l) => `${tagOf(l)} OK begin TLS\r\n`),
      starttls(),
      imapOk("* CAPABILITY IMAP4rev1 AUTH=PLAIN"),
      line((l) => `${tagOf(l)} ${l.endsWith('LOGIN "alice" "alice-secret-pw"') ? "OK" : "NO"} in\r\n`),
      imapOk("* CAPABILITY IMAP4rev1 UIDPLUS NAMESPACE"),
      imapOk('* NAMESPACE (("INBOX." ".")) NIL NIL'),
      // The scratch mailbox: CREATE, LIST without \Noinferiors (so INFERIORS), SELECT, CLOSE, DELETE.
      line((l) => `${tagOf(l)} ${/ CREATE "INBOX\.mc-probe-[^"]+"$/.test(l) ? "OK" : "BAD"} created\r\n`),
      line((l) => `* LIST (\\HasNoChildren) "." ${l.slice(l.indexOf('LIST "" ') + 8)}\r\n${tagOf(l)} OK listed\r\n`),
      // Its PERMANENTFLAGS with \* — new keywords allowed (RFC 3501 §7.1).
      imapOk("* FLAGS (\\Seen \\Deleted)", "* OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] ok"),
      imapOk(),
      imapOk(),
    ]);
    const probe = await probeCapabilities(A.target("imap", server.port, "none", { insecure: true }), "imap", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["IMAP4REV1", "LOGINDISABLED", "STARTTLS"]);
    expect(state(probe, "after-starttls")).to.deep.equal(["AUTH=PLAIN", "IMAP4REV1"]);
    expect(state(probe, "after-login")).to.deep.equal(["HIERARCHY", "IMAP4REV1", "INFERIORS", "KEYWORDS", "NAMESPACE", "UIDPLUS"]);
    expect(probe.ok && probe.namespace).to.deep.equal({ prefix: "INBOX.", delimiter: "." });
  });

  it('IMAP without NAMESPACE: the delimiter from LIST "" "", mailboxes at the top level', async () => {
    server = await startScriptedServer([
      send("* OK ready\r\n"),
      imapOk("* CAPABILITY IMAP4rev1 AUTH=PLAIN"),
      line((l) => `${tagOf(l)} OK in\r\n`),
      imapOk("* CAPABILITY IMAP4rev1 UIDPLUS MOVE"),
      line((l) => (l.endsWith('LIST "" ""') ? `* LIST (\\Noselect) "." ""\r\n${tagOf(l)} OK listed\r\n` : `${tagOf(l)} BAD what\r\n`)),
      // The scratch mailbox comes out \Noinferiors (an mbox store): no INFERIORS.
      imapOk(),
      line((l) => `* LIST (\\Noinferiors) "." ${l.slice(l.indexOf('LIST "" ') + 8)}\r\n${tagOf(l)} OK listed\r\n`),
      // Its SELECT: only system flags are permanent, so no KEYWORDS. Then CLOSE and DELETE.
      imapOk("* OK [PERMANENTFLAGS (\\Seen \\Deleted)] ok"),
      imapOk(),
      imapOk(),
    ]);
    const probe = await probeCapabilities(A.target("imap", server.port), "imap", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["AUTH=PLAIN", "IMAP4REV1"]);
    expect(state(probe, "after-login")).to.deep.equal(["HIERARCHY", "IMAP4REV1", "MOVE", "UIDPLUS"]);
    expect(probe.ok && probe.namespace).to.deep.equal({ prefix: "", delimiter: "." });
  });

  it("IMAP with a NIL delimiter (a flat namespace): no HIERARCHY after login, unless the target file names a delimiter", async () => {
    const flat = () => [
      send("* OK ready\r\n"),
      imapOk("* CAPABILITY IMAP4rev1"),
      line((l) => `${tagOf(l)} OK in\r\n`),
      imapOk("* CAPABILITY IMAP4rev1 NAMESPACE"),
      imapOk('* NAMESPACE (("" NIL)) NIL NIL'),
      line((l) => `${tagOf(l)} NO no INBOX\r\n`),
    ];
    server = await startScriptedServer(flat);
    const probe = await probeCapabilities(A.target("imap", server.port), "imap", 1000);
    expect(probe.ok && probe.namespace).to.deep.equal({ prefix: "", delimiter: "" });
    expect(state(probe, "after-login")).to.deep.equal(["IMAP4REV1", "NAMESPACE"]);
    const named = A.target("imap", server.port);
    named.endpoints.imap!.delimiter = "/";
    expect(state(await probeCapabilities(named, "imap", 1000), "after-login")).to.include("HIERARCHY");
  });

  it("IMAP: an optional upgrade that fails costs only that state; the login is probed again in plaintext", async () => {
    // First connection: STARTTLS accepted, then the server drops the connection instead of a handshake.
    // Second connection: the plaintext pass, which logs in.
    server = await startScriptedServer((index) =>
      index === 0
        ? [send("* OK ready\r\n"), imapOk("* CAPABILITY IMAP4rev1 STARTTLS"), line((l) => `${tagOf(l)} OK begin TLS\r\n`), close()]
        : [
            send("* OK ready\r\n"),
            imapOk("* CAPABILITY IMAP4rev1 STARTTLS"),
            line((l) => `${tagOf(l)} OK in\r\n`),
            imapOk("* CAPABILITY IMAP4rev1 IDLE"),
            imapOk('* LIST (\\Noselect) "/" ""'),
            line((l) => `${tagOf(l)} NO no CREATE\r\n`),
            line((l) => `${tagOf(l)} NO no INBOX\r\n`),
          ],
    );
    const probe = await probeCapabilities(A.target("imap", server.port), "imap", 1000);
    expect(state(probe, "before-tls")).to.deep.equal(["IMAP4REV1", "STARTTLS"]);
    expect(state(probe, "after-starttls")).to.equal(undefined);
    expect(state(probe, "after-login")).to.deep.equal(["HIERARCHY", "IDLE", "IMAP4REV1"]);
    expect(probe.ok && probe.namespace).to.deep.equal({ prefix: "", delimiter: "/" });
    expect(server.connections()).to.equal(2);
  });

  it("a STARTTLS endpoint whose upgrade fails is unreachable: no test could get past it", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), reply("250-mx\r\n250 STARTTLS\r\n"), reply("454 4.7.0 TLS not available\r\n")]);
    const probe = await probeCapabilities(A.target("smtp", server.port, "starttls", { insecure: true }), "smtp", 1000);
    expect(probe.ok).to.equal(false);
    expect(!probe.ok && probe.reason).to.match(/STARTTLS/);
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

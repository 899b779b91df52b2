// A TLS alert record where a reply was due: a server whose TLS stack got
// plaintext instead of a ClientHello (garbage after STARTTLS's go-ahead)
// answers with an alert and closes. That is the server closing — expect
// closed passes; any other expectation fails as class tls naming the alert —
// never a malformed reply. The alert's description byte 10 (unexpected_message)
// is an LF, which a line reader would otherwise take for a bare-LF line.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { close, line, send, startScriptedServer, tagOf, type Action, type ScriptedServer } from "../../support/scripted-server.ts";

/** TLSPlaintext { alert(21), legacy_record_version 3.3, length 2 } Alert { fatal(2), unexpected_message(10) } (RFC 8446 §5.1, §6). */
const ALERT = Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]);

/** IMAP: STARTTLS is accepted, then the line that comes instead of a handshake draws the alert and a close. */
const GARBAGE_AFTER_GO_AHEAD: Action[] = [send("* OK ready\r\n"), line((l) => `${tagOf(l)} OK begin TLS\r\n`), line(() => ALERT), close()];

describe("exec: a TLS alert is the server closing", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("expect closed passes, and the transcript names the alert", async () => {
    server = await startScriptedServer(GARBAGE_AFTER_GO_AHEAD);
    const { result } = await A.run(A.testCase("imap", [A.send("STARTTLS"), A.imap("OK"), A.raw("Z1 LOGIN a b\r\n"), A.closed()]), A.target("imap", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(result.transcript.some((l) => l.dir === "*" && l.text === "TLS alert record from the server: fatal unexpected_message")).to.equal(true);
  });

  it("any other expectation fails as class tls naming the alert, not as a protocol violation", async () => {
    server = await startScriptedServer(GARBAGE_AFTER_GO_AHEAD);
    const { result } = await A.run(A.testCase("imap", [A.send("STARTTLS"), A.imap("OK"), A.send("NOOP"), A.imap("BAD")]), A.target("imap", server.port));
    expect(result.failure?.class).to.equal("tls");
    expect(result.failure?.message).to.match(/^server closed the connection with a TLS alert \(fatal unexpected_message\) while waiting for/);
  });

  it("an alert split over two writes is read whole", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), line(() => ALERT.subarray(0, 3)), line(() => ALERT.subarray(3)), close()]);
    const { result } = await A.run(A.testCase("smtp", [A.send("STARTTLS"), A.send("garbage"), A.closed()]), A.target("smtp", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("a reply that merely starts with 0x15 is no alert: still a malformed reply", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), line(() => "\x15hello\r\n")]);
    const { result } = await A.run(A.testCase("smtp", [A.send("NOOP"), A.smtp("250")]), A.target("smtp", server.port));
    expect(result.failure?.class).to.equal("protocol-violation");
  });
});

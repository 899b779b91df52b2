// TLS: implicit TLS with and without certificate verification, automatic
// STARTTLS for a starttls endpoint, the explicit starttls step, handshake
// failures, and plaintext injected after the go-ahead.

import { expect } from "chai";
import * as A from "../support/ast.ts";
import { reply, send, startScriptedServer, starttls, type ScriptedServer } from "../support/scripted-server.ts";

describe("exec: TLS", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("implicit TLS with --insecure: passes, the transcript notes the handshake", async () => {
    server = await startScriptedServer([send("* OK secure\r\n"), reply("* CAPABILITY IMAP4rev1\r\nA1 OK done\r\n")], { tls: true });
    const { result } = await A.run(A.testCase("imap", [A.send("CAPABILITY"), A.imap("OK")]), A.target("imap", server.port, "implicit", { insecure: true }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(result.transcript.some((l) => l.dir === "*" && /TLS established: TLSv1\.[23]/.test(l.text))).to.equal(true);
  });

  it("implicit TLS with verification against a self-signed certificate is a tls error", async () => {
    server = await startScriptedServer([send("+OK hi\r\n")], { tls: true });
    const { result } = await A.run(A.testCase("pop3", [A.send("CAPA")]), A.target("pop3", server.port, "implicit"));
    expect(result.status).to.equal("error");
    expect(result.failure?.class).to.equal("tls");
    expect(result.failure?.message).to.match(/TLS handshake failed: .*(self[- ]signed|certificate)/i);
  });

  it("a plaintext server on an implicit-TLS endpoint fails the handshake (class tls), within the budget", async () => {
    server = await startScriptedServer([send("220 plain smtp\r\n")]);
    const { result, elapsedMs } = await A.run(A.testCase("smtp", [A.send("EHLO x")]), A.target("smtp", server.port, "implicit", { insecure: true }));
    expect(result.failure?.class).to.equal("tls");
    expect(elapsedMs).to.be.below(2000);
  });

  it("a starttls endpoint: greeting, EHLO, STARTTLS, handshake happen before the first step", async () => {
    server = await startScriptedServer([
      send("220 mx ESMTP\r\n"),
      reply("250-mx\r\n250 STARTTLS\r\n"),
      reply("220 2.0.0 go ahead\r\n"),
      starttls(),
      reply("250-mx\r\n250 AUTH PLAIN\r\n"),
    ]);
    const { result } = await A.run(A.testCase("smtp", [A.send("EHLO client"), A.smtp("250", { lines: { includes: ["AUTH"], excludes: ["STARTTLS"] } })]), A.target("smtp", server.port, "starttls", { insecure: true }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal(["C: EHLO [127.0.0.1]", "C: STARTTLS", "C: EHLO client"]);
  });

  it("the starttls step (POP3 STLS) upgrades mid-session", async () => {
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK begin TLS\r\n"), starttls(), reply("+OK\r\nUSER\r\n.\r\n")]);
    const { result } = await A.run(A.testCase("pop3", [A.starttls(), A.send("CAPA"), A.pop3("+OK", { multiline: true, body: { matches: [], lines: { includes: ["USER"], excludes: ["STLS"] } } })]), A.target("pop3", server.port, "none", { insecure: true }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("the starttls step against a verifying client fails with class tls", async () => {
    server = await startScriptedServer([send("* OK imap\r\n"), reply("A1 OK begin\r\n"), starttls()]);
    const { result } = await A.run(A.testCase("imap", [A.starttls()]), A.target("imap", server.port));
    expect(result.failure?.class).to.equal("tls");
  });

  it("plaintext sent after the STARTTLS go-ahead is a protocol violation (injection)", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), reply("220 go ahead\r\n250 injected\r\n")]);
    const { result } = await A.run(A.testCase("smtp", [A.starttls()]), A.target("smtp", server.port, "none", { insecure: true }));
    expect(result.failure?.class).to.equal("protocol-violation");
    expect(result.failure?.message).to.match(/after the TLS go-ahead/);
  });

  it("a refused STARTTLS is an assertion failure", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), reply("454 TLS not available\r\n")]);
    const { result } = await A.run(A.testCase("smtp", [A.starttls()]), A.target("smtp", server.port));
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.match(/STARTTLS: expected 220, got 454/);
  });
});

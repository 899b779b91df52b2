// TLS: implicit TLS with and without certificate verification, automatic
// STARTTLS for a starttls endpoint, the explicit starttls step, handshake
// failures, and plaintext injected after the go-ahead.

import { expect } from "chai";
import type { Step } from "../../../runner/model/ast.ts";
import { compileTemplate } from "../../../runner/suite/template.ts";
import * as A from "../../support/ast.ts";
import { reply, send, startScriptedServer, starttls, type ScriptedServer } from "../../support/scripted-server.ts";

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

  it("a starttls endpoint whose first step expects the greeting: that step reads it, the upgrade follows before the next step", async () => {
    server = await startScriptedServer([send("+OK pop ready\r\n"), reply("+OK begin TLS\r\n"), starttls(), reply("+OK\r\nUSER\r\n.\r\n")]);
    const steps = [A.pop3("+OK"), A.send("CAPA"), A.pop3("+OK", { multiline: true, body: { matches: [], lines: { includes: ["USER"], excludes: [] } } })];
    const { result } = await A.run(A.testCase("pop3", steps), A.target("pop3", server.port, "starttls", { insecure: true }));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result)).to.deep.equal(["S: +OK pop ready", "C: STLS", "S: +OK begin TLS", "C: CAPA", "S: +OK", "S: USER", "S: ."]);
  });

  it("a starttls endpoint: a greeting expectation that fails is the test's failure, and no upgrade is tried", async () => {
    server = await startScriptedServer([send("+OK pop ready\r\n")]);
    const { result } = await A.run(A.testCase("pop3", [A.pop3("-ERR"), A.send("CAPA")]), A.target("pop3", server.port, "starttls", { insecure: true }));
    expect(result.failure?.class).to.equal("assertion");
    expect(A.wire(result).filter((l) => l.startsWith("C:"))).to.deep.equal([]);
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

  describe("command injection (starttls with inject)", () => {
    const inject = (line: string, silenceMs = 200): Step => ({ ...A.starttls(), inject: { line: compileTemplate(line), silenceMs } }) as Step;

    it("SMTP: STARTTLS and the injected line go out in one write; a server that discards it passes", async () => {
      server = await startScriptedServer([send("220 mx\r\n"), reply("220 go ahead\r\n"), starttls(), reply("250-mx\r\n250 AUTH PLAIN\r\n")]);
      const { result } = await A.run(A.testCase("smtp", [inject("RSET"), A.send("EHLO client"), A.smtp("250")]), A.target("smtp", server.port, "none", { insecure: true }));
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(server.received[0]!.toString("latin1").startsWith("STARTTLS\r\nRSET\r\n")).to.equal(true);
      expect(A.wire(result).slice(0, 3)).to.deep.equal(["S: 220 mx", "C: STARTTLS", "C: RSET"]);
    });

    it("SMTP: a server that answers the injected command inside TLS fails, naming the injection", async () => {
      server = await startScriptedServer([send("220 mx\r\n"), reply("220 go ahead\r\n"), starttls(), send("250 2.0.0 reset\r\n")]);
      const { result } = await A.run(A.testCase("smtp", [inject("RSET")]), A.target("smtp", server.port, "none", { insecure: true }));
      expect(result.failure?.class).to.equal("assertion");
      expect(result.failure?.message).to.match(/answered RSET, sent as plaintext in the same write as the TLS upgrade, inside TLS/);
      expect(result.failure?.actual).to.include("250 2.0.0 reset");
    });

    it("POP3 STLS: the injected line rides along; silence after the handshake passes", async () => {
      server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK begin TLS\r\n"), starttls(), reply("+OK\r\nUSER\r\n.\r\n")]);
      const { result } = await A.run(A.testCase("pop3", [inject("CAPA"), A.send("CAPA"), A.pop3("+OK", { multiline: true })]), A.target("pop3", server.port, "none", { insecure: true }));
      expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
      expect(server.received[0]!.toString("latin1").startsWith("STLS\r\nCAPA\r\n")).to.equal(true);
    });

    it("IMAP: the injected command gets its own tag and must stay unanswered", async () => {
      server = await startScriptedServer([send("* OK imap\r\n"), reply("A1 OK begin TLS\r\n"), starttls(), send("A2 OK noop done\r\n")]);
      const { result } = await A.run(A.testCase("imap", [inject("NOOP")]), A.target("imap", server.port, "none", { insecure: true }));
      expect(server.received[0]!.toString("latin1").startsWith("A1 STARTTLS\r\nA2 NOOP\r\n")).to.equal(true);
      expect(result.failure?.message).to.match(/answered NOOP/);
    });
  });

  it("a refused STARTTLS is an assertion failure", async () => {
    server = await startScriptedServer([send("220 mx\r\n"), reply("454 TLS not available\r\n")]);
    const { result } = await A.run(A.testCase("smtp", [A.starttls()]), A.target("smtp", server.port));
    expect(result.failure?.class).to.equal("assertion");
    expect(result.failure?.message).to.match(/STARTTLS: expected 220, got 454/);
  });
});

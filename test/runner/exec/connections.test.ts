// Named connections and the connect / close steps: declared protocols and
// users, greeting left unread with greeting:false, reconnect after close.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { line, reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

describe("exec: connections", () => {
  let smtpServer: ScriptedServer | undefined;
  let pop3Server: ScriptedServer | undefined;
  afterEach(async () => {
    await smtpServer?.close();
    await pop3Server?.close();
    smtpServer = pop3Server = undefined;
  });

  it("a connection of another protocol, with user 2's variables", async () => {
    smtpServer = await startScriptedServer([send("220 mx\r\n"), reply("250 ok\r\n")]);
    pop3Server = await startScriptedServer([send("+OK pop\r\n"), line((l) => (l === "USER bob" ? "+OK\r\n" : "-ERR\r\n"))]);
    const tgt = A.target("smtp", smtpServer.port);
    tgt.endpoints.pop3 = { port: pop3Server.port, tls: "none" };
    const { result } = await A.run(
      A.testCase("smtp", [A.send("RCPT TO:<${user2.address}>"), A.smtp("250"), A.on("box", A.send("USER ${user.login}")), A.on("box", A.pop3("+OK"))], {
        connections: [A.connection("box", "pop3", { user: 1 })],
      }),
      tgt,
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result, "box")).to.deep.equal(["S: +OK pop", "C: USER bob", "S: +OK"]);
  });

  it("connect with greeting:false leaves the greeting to an expect; close then reuse reconnects", async () => {
    smtpServer = await startScriptedServer((i) => (i === 0 ? [send("220 first\r\n")] : [send("220 second\r\n"), reply("250 ok\r\n")]));
    const { result } = await A.run(
      A.testCase("smtp", [{ ...A.connect("main", false) }, A.smtp("220", { text: "first" }), A.close(), A.send("NOOP"), A.smtp("250")]),
      A.target("smtp", smtpServer.port),
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(smtpServer.connections()).to.equal(2);
  });
});

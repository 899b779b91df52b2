// The may-close step against scripted servers: where an RFC lets a server end
// the session instead of going on (RFC 1939 §4 after a refused PASS), a close
// inside the block passes with a transcript note, a server that stays and
// answers right passes too, and a wrong answer before the close still fails.

import { expect } from "chai";
import type { Step } from "../../../runner/model/ast.ts";
import * as A from "../../support/ast.ts";
import { close, line, reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

const mayClose = (steps: Step[]): Step => ({ kind: "may-close", steps, on: "main", span: A.span() });

/** USER, a wrong PASS refused, then "may close": STAT must be refused and QUIT answered, unless the server has left. */
const refusedLogin = (): Step[] => [
  A.pop3("+OK"),
  A.send("USER alice"),
  A.pop3("+OK"),
  A.send("PASS wrong"),
  A.pop3("-ERR"),
  mayClose([A.send("STAT"), A.pop3("-ERR"), A.send("QUIT"), A.pop3("+OK")]),
];

describe("exec: may-close", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("passes when the server closes after the refusal, and notes it", async () => {
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK\r\n"), reply("-ERR no\r\n"), close()]);
    const { result } = await A.run(A.testCase("pop3", refusedLogin()), A.target("pop3", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    const notes = result.transcript.filter((l) => l.dir === "*").map((l) => l.text);
    expect(notes.some((n) => n.startsWith("the server closed the connection, which it may do here"))).to.equal(true);
  });

  it("passes when the server stays and answers as required", async () => {
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK\r\n"), reply("-ERR no\r\n"), reply("-ERR not yet\r\n"), line(() => "+OK bye\r\n")]);
    const { result } = await A.run(A.testCase("pop3", refusedLogin()), A.target("pop3", server.port));
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
  });

  it("still fails a wrong answer given before the close", async () => {
    server = await startScriptedServer([send("+OK pop\r\n"), reply("+OK\r\n"), reply("-ERR no\r\n"), reply("+OK 0 0\r\n"), close()]);
    const { result } = await A.run(A.testCase("pop3", refusedLogin()), A.target("pop3", server.port));
    expect(result.status).to.equal("failed");
    expect(result.failure?.message).to.match(/expected -ERR, got \+OK/);
    expect(result.failure?.step).to.equal(8);
  });
});

// The text an SMTP expect matches: a printable ASCII reply line is read once
// (the transcript's string serves the reader too, runner/session/connection.ts
// lineText); UTF-8 and control octets are decoded for the reader as UTF-8,
// while the transcript shows them escaped.

import { expect } from "chai";
import * as A from "../../../support/ast.ts";
import { reply, send, startScriptedServer, type ScriptedServer } from "../../../support/scripted-server.ts";

describe("smtp: reply text", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const run = async (greeting: string, answer: string, text: string) => {
    server = await startScriptedServer([send(greeting), reply(answer)]);
    return A.run(A.testCase("smtp", [A.smtp("220"), A.send("NOOP"), A.smtp("250", { text })]), A.target("smtp", server.port));
  };

  it("matches an ASCII reply line, the same text the transcript keeps", async () => {
    const { result } = await run("220 hi\r\n", "250-first\r\n250 ok done\r\n", "^first\\nok done$");
    expect(result.status, result.failure?.message).to.equal("passed");
    expect(A.wire(result).slice(-2)).to.deep.equal(["S: 250-first", "S: 250 ok done"]);
  });

  it("matches UTF-8 text decoded as UTF-8, while the transcript escapes a control octet", async () => {
    // The scripted server writes each character as one octet: the UTF-8 octets of the text, spelled in latin1.
    const utf8Octets = Buffer.from("250 gr\u00fc\u00df dich\ttab\r\n", "utf8").toString("latin1");
    const { result } = await run("220 hi\r\n", utf8Octets, "^gr\u00fc\u00df dich\ttab$");
    expect(result.status, result.failure?.message).to.equal("passed");
    expect(A.wire(result).at(-1)).to.equal("S: 250 gr\u00fc\u00df dich\\ttab");
  });
});

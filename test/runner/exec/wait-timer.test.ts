// The connection's one wait timer, kept armed across steps: a later step with
// a nearer deadline still ends on time, and a timer armed for an earlier step
// that fires while a later step waits re-arms instead of failing it.

import { expect } from "chai";
import * as A from "../../support/ast.ts";
import { hang, line, reply, send, startScriptedServer, wait, type ScriptedServer } from "../../support/scripted-server.ts";

describe("exec: wait timer across steps", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("ends a short expect-silence on its own deadline after a step that armed a long one", async () => {
    server = await startScriptedServer([send("220 ready\r\n"), reply("250 ok\r\n"), hang()]);
    const { result, elapsedMs } = await A.run(A.testCase("smtp", [A.send("NOOP"), A.smtp("250"), A.silence(50)]), A.target("smtp", server.port), {
      timeoutMs: 20_000,
    });
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    // The timer armed for the expect's 20 s budget must not delay the 50 ms silence to it.
    expect(elapsedMs).to.be.lessThan(10_000);
  });

  it("does not fail a step when the timer armed for an earlier step fires while it waits", async () => {
    // Step 1 arms the timer for t0 + 1000 ms; after a 500 ms wait, step 3's budget runs to t0 + 1500 ms
    // and its reply comes at about t0 + 1200 ms, after the old timer has fired.
    server = await startScriptedServer([send("220 ready\r\n"), reply("250 first\r\n"), line(), wait(700), send("250 second\r\n"), hang()]);
    const { result } = await A.run(
      A.testCase("smtp", [A.send("NOOP"), A.smtp("250"), A.wait(500), A.send("NOOP"), A.smtp("250")]),
      A.target("smtp", server.port),
      { timeoutMs: 1000 },
    );
    expect(result.status, JSON.stringify(result.failure)).to.equal("passed");
    expect(A.wire(result)).to.deep.equal(["S: 220 ready", "C: NOOP", "S: 250 first", "C: NOOP", "S: 250 second"]);
  });

  it("still times out a reply that never comes, with the step's budget in the message", async () => {
    server = await startScriptedServer([send("220 ready\r\n"), reply("250 ok\r\n"), line(), hang()]);
    const { result } = await A.run(A.testCase("smtp", [A.send("NOOP"), A.smtp("250"), A.send("NOOP"), A.smtp("250")]), A.target("smtp", server.port), {
      timeoutMs: 300,
    });
    expect(result.status).to.equal("failed");
    expect(result.failure?.class).to.equal("timeout");
    expect(result.failure?.message).to.match(/timed out after 300 ms/);
    expect(result.failure?.step).to.equal(4);
  });
});

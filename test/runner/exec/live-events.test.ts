// Live events: runTest builds step-begin / step-end and wire events only when
// a reporter reads them (TestEnv.live, from ReporterBus.liveEvents); the
// result carries the same steps and transcript either way.

import { expect } from "chai";
import { ALL_LIVE_EVENTS, NO_LIVE_EVENTS } from "../../../runner/model/events.ts";
import * as A from "../../support/ast.ts";
import { reply, send, startScriptedServer, type ScriptedServer } from "../../support/scripted-server.ts";

const dialogue = () => A.testCase("smtp", [A.smtp("220"), A.send("NOOP"), A.smtp("250"), A.send("QUIT"), A.smtp("221")]);
const script = () => [send("220 hi\r\n"), reply("250 ok\r\n"), reply("221 bye\r\n")];

describe("exec: live events", () => {
  let server: ScriptedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("emits step and wire events when they are read live (the default)", async () => {
    server = await startScriptedServer(script());
    const { result, events } = await A.run(dialogue(), A.target("smtp", server.port), { live: ALL_LIVE_EVENTS });
    expect(result.status, result.failure?.message).to.equal("passed");
    expect(events.filter((e) => e.type === "step-end")).to.have.length(result.steps.length);
    expect(events.filter((e) => e.type === "wire").map((e) => (e.type === "wire" ? e.line : undefined))).to.deep.equal(result.transcript);
    await server.close();
    server = await startScriptedServer(script());
    const byDefault = await A.run(dialogue(), A.target("smtp", server.port));
    expect(byDefault.events.map((e) => e.type)).to.deep.equal(events.map((e) => e.type));
  });

  it("builds none of them when nobody reads them, and the result is the same", async () => {
    server = await startScriptedServer(script());
    const live = await A.run(dialogue(), A.target("smtp", server.port), { live: ALL_LIVE_EVENTS });
    await server.close();
    server = await startScriptedServer(script());
    const quiet = await A.run(dialogue(), A.target("smtp", server.port), { live: NO_LIVE_EVENTS });
    expect(quiet.events).to.deep.equal([]);
    const timeless = (r: typeof live.result) => ({
      steps: r.steps.map(({ durationMs: _d, ...s }) => s),
      // The two runs dial different ports: a note is compared by its kind.
      transcript: r.transcript.map(({ ms: _m, waitedMs: _w, ...l }) => (l.dir === "*" ? l.note?.kind : l)),
    });
    expect(timeless(quiet.result)).to.deep.equal(timeless(live.result));
  });

  it("emits wire lines without step events when only those are read (-v)", async () => {
    server = await startScriptedServer(script());
    const { result, events } = await A.run(dialogue(), A.target("smtp", server.port), { live: { steps: false, wire: true } });
    expect(result.status).to.equal("passed");
    expect(new Set(events.map((e) => e.type))).to.deep.equal(new Set(["wire"]));
  });
});

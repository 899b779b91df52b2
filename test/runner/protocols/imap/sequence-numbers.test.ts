// Tracked sequence numbers (`sequence-numbers:`): renumbered by each EXPUNGE
// read after the capture, turned into "expunged" when their own message goes,
// renumbered by VANISHED through the UIDs FETCH responses showed, dropped on
// a reselect; and a whole test against a scripted server whose EXPUNGE comes
// at NOOP, which fails without the tracking.

import { expect } from "chai";
import { EXPUNGED, SequenceNumbers } from "../../../../runner/protocols/imap/sequence-numbers.ts";
import { Variables } from "../../../../runner/session/variables.ts";
import { parseResponse, type ImapResponse } from "../../../../wire/imap-tokens.ts";
import * as A from "../../../support/ast.ts";
import { line, send, startScriptedServer, tagOf, type ScriptedServer } from "../../../support/scripted-server.ts";

const untagged = (text: string) => parseResponse(Buffer.from(text)) as Extract<ImapResponse, { kind: "untagged" }>;

function tracking(values: Record<string, string>): { vars: Variables; sequences: SequenceNumbers } {
  const vars = new Variables({}, []);
  const sequences = new SequenceNumbers();
  for (const [name, value] of Object.entries(values)) {
    vars.bind(name, value);
    sequences.track(name, vars);
  }
  return { vars, sequences };
}

describe("runner IMAP sequence-number tracking", () => {
  it("lowers numbers above each EXPUNGE, leaves lower ones, and marks the expunged message", () => {
    const { vars, sequences } = tracking({ low: "1", mid: "3", high: "5" });
    sequences.observe(untagged("* 2 EXPUNGE"));
    expect([vars.get("low"), vars.get("mid"), vars.get("high")]).to.deep.equal(["1", "2", "4"]);
    // Successive EXPUNGEs are already renumbered by the ones before (RFC 3501 §7.4.1).
    sequences.observe(untagged("* 2 EXPUNGE"));
    expect([vars.get("low"), vars.get("mid"), vars.get("high")]).to.deep.equal(["1", EXPUNGED, "3"]);
    sequences.observe(untagged("* 3 FETCH (FLAGS (\\Seen))"));
    expect(vars.get("high")).to.equal("3");
  });

  it("renumbers on VANISHED by the UIDs FETCH responses showed, and refuses a UID it never saw", () => {
    const { vars, sequences } = tracking({ last: "4" });
    for (const [seq, uid] of [[1, 10], [2, 11], [3, 12], [4, 13]]) sequences.observe(untagged(`* ${seq} FETCH (UID ${uid} FLAGS ())`));
    sequences.observe(untagged("* VANISHED (EARLIER) 10:11"));
    expect(vars.get("last")).to.equal("4");
    sequences.observe(untagged("* VANISHED 10,12"));
    expect(vars.get("last")).to.equal("2");
    expect(() => sequences.observe(untagged("* VANISHED 99"))).to.throw(/UID 99/);
  });

  it("ends tracking when another mailbox is selected, and refuses a capture that is no number", () => {
    const { vars, sequences } = tracking({ n: "3" });
    sequences.completed("A7 SELECT other");
    expect(sequences.active).to.equal(false);
    sequences.observe(untagged("* 1 EXPUNGE"));
    expect(vars.get("n")).to.equal("3");
    expect(() => tracking({ word: "NIL" })).to.throw(/no message sequence number/);
  });

  describe("a two-command test against a scripted server", () => {
    let server: ScriptedServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    // SEARCH finds message 3; the next NOOP announces that message 1 is gone; SEARCH then finds it at 2.
    const script = () => [
      send("* OK [CAPABILITY IMAP4rev1] ready\r\n"),
      line((l) => `* SEARCH 3\r\n${tagOf(l)} OK searched\r\n`),
      line((l) => `* 1 EXPUNGE\r\n${tagOf(l)} OK noop\r\n`),
      line((l) => `* SEARCH 2\r\n${tagOf(l)} OK searched\r\n`),
    ];
    const steps = (track: boolean) => [
      A.send("SEARCH SUBJECT three"),
      A.imap("OK", { untagged: [A.must("* SEARCH $third")], ...(track ? { sequenceNumbers: ["third"] } : {}) }),
      A.send("NOOP"),
      A.imap("OK"),
      A.send("SEARCH SUBJECT three"),
      A.imap("OK", { untagged: [A.must("* SEARCH ${third}")] }),
    ];

    it("passes with the capture tracked, and fails without it", async () => {
      server = await startScriptedServer(script());
      const tracked = await A.run(A.testCase("imap", steps(true)), A.target("imap", server.port));
      expect(tracked.result.status, JSON.stringify(tracked.result.failure)).to.equal("passed");
      await server.close();
      server = await startScriptedServer(script());
      const untracked = await A.run(A.testCase("imap", steps(false)), A.target("imap", server.port));
      expect(untracked.result.status).to.equal("failed");
      expect(untracked.result.failure?.expected).to.equal("* SEARCH 3");
    });
  });
});

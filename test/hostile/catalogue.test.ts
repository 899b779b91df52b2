// Each hostile server of the catalogue, run through the real runTest: the
// test ends the way the row says (class and message, or a pass where the
// misbehaviour is legal), within its budget plus slack, every socket closed,
// and the heavy rows (1 GB replies, endless lines, floods) keep the process
// under 200 MB RSS. The slack is an upper bound against hangs, not a timing.

import { expect } from "chai";
import { runScenario } from "./run-scenario.ts";
import { BUDGET_MS, SCENARIOS } from "./scenarios.ts";

/** Scheduling slack on a loaded CI machine; a hang would blow far past it. */
const SLACK_MS = 2500;
/**
 * The issue bounds the runner's RSS at 200 MB; a runner process with this spec loaded sits near 100 MB,
 * and RSS rarely shrinks once grown, so each heavy row may add at most the difference.
 */
const MAX_RSS_GROWTH_BYTES = 100 * 1024 * 1024;

let maxRss = 0;

describe("hostile servers: the catalogue", function () {
  this.timeout(30_000);
  after(() => {
    if (process.env.MAILCONFORM_HOSTILE_RSS) console.log(`    max RSS observed: ${(maxRss / 1024 / 1024).toFixed(1)} MB`);
  });

  it(`holds at least 25 scenarios`, () => expect(SCENARIOS.length).to.be.at.least(25));

  for (const s of SCENARIOS) {
    it(`${s.name}: ${s.expect.status}${s.expect.class ? ` (${s.expect.class})` : ""}`, async () => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      const { ran, server } = await runScenario(s);
      try {
        const { result, elapsedMs } = ran;
        const after = process.memoryUsage().rss;
        maxRss = Math.max(maxRss, before, after);
        expect(result.status, JSON.stringify(result.failure)).to.equal(s.expect.status);
        if (s.expect.class) expect(result.failure?.class, result.failure?.message).to.equal(s.expect.class);
        if (s.expect.message) expect(result.failure?.message).to.match(s.expect.message);
        if (result.failure) expect(result.failure.message, "a one-line message").to.not.include("\n");
        expect(elapsedMs).to.be.below((s.timeoutMs ?? BUDGET_MS) * (s.steps.length + 1) + SLACK_MS);
        if (s.heavy) expect(after - before, `RSS growth during ${s.name}`).to.be.below(MAX_RSS_GROWTH_BYTES);
        expect(await server.allClosed(2000), "every socket closed at test end").to.equal(true);
      } finally {
        await server.close();
      }
    });
  }
});

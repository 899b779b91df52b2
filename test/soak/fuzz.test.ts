// CI slice of the fuzz campaign (issue 9): a few thousand seeded inputs per
// parser in-process, and short generated command sequences over real sockets
// to the reference server. `npm run soak` runs the million-input version.
// Standards: RFC 5321, RFC 1939, RFC 3501, RFC 2045 (through the targets).

import { expect } from "chai";
import fc from "fast-check";
import { defaultConfig } from "../../reference-server/config/defaults.ts";
import { startServer, type RunningServer } from "../../reference-server/serve.ts";
import { fuzz, type FuzzTarget } from "../../soak/fuzz/target.ts";
import { FUZZ_TARGETS } from "../../soak/fuzz/targets.ts";
import { wireFuzz } from "../../soak/fuzz/wire.ts";

const SEED = 20_261_126;

describe("soak: fuzzing (CI slice)", () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: 1,000 seeded inputs, no crash, none over 1 s`, () => {
      const result = fuzz(target, { inputs: 1000, seed: SEED, timeBoundMs: 1000 });
      expect(result.failure, result.failure ?? "").to.equal(null);
      expect(result.inputs).to.equal(1000);
    });
  }

  it("the driver reports a crash and a hang with the input that caused it", () => {
    const crashing: FuzzTarget<string> = {
      name: "crashing",
      arbitrary: fc.string(),
      check: (s) => {
        if (s.includes("x")) throw new TypeError("boom");
      },
      show: (s) => s,
    };
    const crash = fuzz(crashing, { inputs: 5000, seed: SEED, timeBoundMs: 250 });
    expect(crash.failure).to.match(/input x[\s\S]*TypeError: boom/);
    const slow: FuzzTarget<number> = {
      name: "slow",
      arbitrary: fc.nat(),
      check: () => {
        const until = performance.now() + 3;
        while (performance.now() < until);
      },
      show: String,
    };
    expect(fuzz(slow, { inputs: 3, seed: SEED, timeBoundMs: 1 }).failure).to.match(/hang: one input took/);
  });

  describe("over the wire", () => {
    let server: RunningServer;
    before(async () => {
      const config = defaultConfig();
      config.auth.failureDelayMs = 0;
      server = await startServer({ config, portBase: "ephemeral" });
    });
    after(() => server.close());

    for (const protocol of ["smtp", "pop3", "imap"] as const) {
      it(`${protocol}: 25 generated sequences, every command answered, still greeting afterwards`, async () => {
        const result = await wireFuzz({ protocol, port: server.ports[protocol]!, sequences: 25, maxCommands: 12, seed: SEED, concurrency: 5, replyBoundMs: 4000 });
        expect(result.failures, result.failures.join("\n")).to.deep.equal([]);
        expect(result.commands).to.be.greaterThan(25);
      });
    }
  });
});

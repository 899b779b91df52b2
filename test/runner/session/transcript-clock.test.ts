// The transcript's pinned clock: lines recorded while the executor has pinned
// a step's start (the step's synchronous part, a send's C: line) carry that
// time instead of a clock read of their own; unpinned, lines read the clock.

import { expect } from "chai";
import { LINE_CLASSIFIERS } from "../../../runner/protocols/line-classifiers.ts";
import { Transcript } from "../../../runner/session/transcript.ts";

describe("session: transcript clock", () => {
  it("stamps lines recorded while pinned with the pinned time, and reads the clock again once unpinned", () => {
    const startedAt = Date.now();
    const transcript = new Transcript(startedAt, () => {}, [], LINE_CLASSIFIERS);
    transcript.note("main", { kind: "connect", host: "127.0.0.1", port: 25, protocol: "smtp", tls: "none" });
    // A pinned time an hour on: no clock read during this test can give it.
    transcript.pinClock(startedAt + 3_600_000);
    transcript.record("main", "C", "NOOP");
    transcript.record("main", "S", Buffer.from("250 ok"));
    transcript.unpinClock();
    transcript.record("main", "C", "QUIT");
    const [, noop, ok, quit] = transcript.lines();
    expect(noop!.ms).to.equal(3_600_000);
    expect(ok!.ms).to.equal(3_600_000);
    expect(quit!.ms).to.be.lessThan(3_600_000);
  });
});

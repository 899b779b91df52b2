// bench/lib/proc-cpu.ts: CPU time of this process, its threads and the
// machine, read from /proc; the benches divide these by work done.
// Standards: none (proc(5)).

import { expect } from "chai";
import { machineCpu, minus, processCpu, threadCpu, total } from "../../bench/lib/proc-cpu.ts";

/** Burns about `ms` of CPU on this thread. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) Math.sqrt(Math.random());
}

describe("bench/lib/proc-cpu", function () {
  before(function () {
    if (process.platform !== "linux") this.skip(); // /proc as Linux has it
  });

  it("counts this process's CPU on its main thread and in total, split into user and system", function () {
    const before = processCpu("self");
    spin(150);
    const after = processCpu("self");
    const main = total(minus(after.main, before.main));
    // Ticks are 10 ms: 150 ms of spinning shows as at least 100 ms, and the whole process never less than its main thread.
    expect(main).to.be.at.least(100);
    expect(total(after.all)).to.be.at.least(total(after.main));
    expect(after.main.user).to.be.at.least(before.main.user + 90);
  });

  it("lists the main thread among the threads, with the same figures", function () {
    const threads = threadCpu("self");
    const main = threads.get(String(process.pid));
    expect(main).to.not.equal(undefined);
    expect(total(main!)).to.be.within(total(processCpu("self").main) - 20, total(processCpu("self").main));
  });

  it("reads the machine's busy and idle time, which only grow", function () {
    const before = machineCpu();
    spin(50);
    const after = machineCpu();
    expect(after.busy).to.be.above(before.busy);
    expect(after.idle).to.be.at.least(before.idle);
  });
});

// bench/lib/proc-cpu.ts: CPU time of this process, its threads and the
// machine, read from /proc; the benches divide these by work done.
// Standards: none (proc(5)).

import { expect } from "chai";
import { spawn } from "node:child_process";
import { machineCpu, minus, processCpu, threadCpu, total, treeCpu } from "../../bench/lib/proc-cpu.ts";

/** Burns `ms` of CPU on this thread, counted as CPU time (on a busy machine wall time would give less). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  const used = () => {
    const d = process.cpuUsage(start);
    return (d.user + d.system) / 1000;
  };
  // Reading the clock is a system call: do some user-space work between reads, so the time is mostly user time.
  while (used() < ms) for (let i = 0; i < 100_000; i++) Math.sqrt(Math.random());
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

  it("counts a process tree's CPU, a child's included once it has ended (reaped into the parent's cutime/cstime)", async function () {
    const before = treeCpu(process.pid);
    const child = spawn(process.execPath, ["-e", "while (process.cpuUsage().user < 300_000);"]);
    await new Promise((resolve) => child.once("exit", resolve));
    const after = treeCpu(process.pid);
    // The child spun until 300 ms of user CPU (ticks of 10 ms, so at least 290 counted).
    expect(total(minus(after, before))).to.be.at.least(250);
  });

  it("reads the machine's busy and idle time, which only grow", function () {
    const before = machineCpu();
    spin(50);
    const after = machineCpu();
    expect(after.busy).to.be.above(before.busy);
    expect(after.idle).to.be.at.least(before.idle);
  });
});

import { expect } from "chai";
import { ALL_LIVE_EVENTS, NO_LIVE_EVENTS, type RunEvent } from "../../../runner/model/events.ts";
import { ReporterBus } from "../../../runner/report/bus.ts";
import { ConsoleReporter } from "../../../runner/report/console.ts";
import { EventsReporter } from "../../../runner/report/events.ts";
import { JsonReporter } from "../../../runner/report/json.ts";
import type { Reporter } from "../../../runner/report/reporter.ts";
import { sampleEvents } from "./sample-run.ts";

function recorder(name: string): Reporter & { seen: RunEvent[]; closed: boolean } {
  const r = {
    name,
    printsToConsole: false,
    seen: [] as RunEvent[],
    closed: false,
    onEvent(e: RunEvent) {
      r.seen.push(e);
    },
    close() {
      r.closed = true;
    },
  };
  return r;
}

describe("report/bus", function () {
  it("liveEvents: what its reporters read live; everything for a reporter that does not say", function () {
    const quiet = (liveEvents: Reporter["liveEvents"]): Reporter => ({ ...recorder("r"), ...(liveEvents ? { liveEvents } : {}) });
    expect(new ReporterBus([quiet(NO_LIVE_EVENTS), quiet(NO_LIVE_EVENTS)]).liveEvents).to.deep.equal(NO_LIVE_EVENTS);
    expect(new ReporterBus([quiet(NO_LIVE_EVENTS), quiet({ steps: false, wire: true })]).liveEvents).to.deep.equal({ steps: false, wire: true });
    expect(new ReporterBus([quiet(NO_LIVE_EVENTS), quiet(undefined)]).liveEvents).to.deep.equal(ALL_LIVE_EVENTS);
  });

  it("liveEvents of the built-in reporters: the console streams wire lines only with -v, the events file takes all, file reports none", function () {
    const out = { write: () => true };
    const live = (...reporters: Reporter[]) => new ReporterBus(reporters).liveEvents;
    expect(live(new ConsoleReporter({ out, cwd: "." }), new JsonReporter({ file: "x.json", cwd: "." }))).to.deep.equal(NO_LIVE_EVENTS);
    expect(live(new ConsoleReporter({ out, cwd: ".", verbosity: "quiet" }))).to.deep.equal(NO_LIVE_EVENTS);
    expect(live(new ConsoleReporter({ out, cwd: ".", verbosity: "verbose" }))).to.deep.equal({ steps: false, wire: true });
    expect(live(new ConsoleReporter({ out, cwd: "." }), new EventsReporter({ file: "x.jsonl" }))).to.deep.equal(ALL_LIVE_EVENTS);
  });

  it("delivers every event to every reporter in order", function () {
    const a = recorder("a");
    const b = recorder("b");
    const bus = new ReporterBus([a, b]);
    const events = sampleEvents();
    for (const e of events) bus.emit(e);
    expect(a.seen).to.deep.equal(events);
    expect(b.seen).to.deep.equal(events);
    expect(bus.failed).to.equal(false);
  });

  it("isolates a reporter that throws: the others get everything plus a run-error naming it", async function () {
    const before = recorder("before");
    const after = recorder("after");
    let calls = 0;
    const broken: Reporter = {
      name: "broken",
      printsToConsole: false,
      onEvent(e) {
        calls++;
        if (e.type === "test-end") throw new Error("disk full");
      },
      close() {
        throw new Error("must not be closed after breaking");
      },
    };
    const bus = new ReporterBus([before, broken, after]);
    const events = sampleEvents();
    for (const e of events) bus.emit(e);

    expect(bus.failed).to.equal(true);
    expect(bus.failures.map((f) => [f.reporter, f.during])).to.deep.equal([["broken", "event"]]);
    const runErrors = after.seen.filter((e) => e.type === "run-error");
    expect(runErrors).to.have.length(1);
    expect(runErrors[0]).to.include({ message: 'reporter "broken" failed: disk full' });
    expect((runErrors[0] as { stack?: string }).stack).to.match(/Error: disk full/);
    expect(before.seen.filter((e) => e.type !== "run-error")).to.deep.equal(events);
    expect(after.seen.filter((e) => e.type !== "run-error")).to.deep.equal(events);
    // Told nothing after it broke: run-begin, test-begin, the wires of test 1, and the throwing test-end.
    expect(calls).to.equal(events.findIndex((e) => e.type === "test-end") + 1);

    expect(await bus.close()).to.deep.equal([]);
    expect(before.closed && after.closed).to.equal(true);
  });

  it("closes every reporter even when one fails to close, and returns that failure", async function () {
    const a = recorder("a");
    const b = recorder("b");
    const failing: Reporter = {
      name: "junit",
      printsToConsole: false,
      onEvent() {},
      async close() {
        throw new Error("EACCES");
      },
    };
    const bus = new ReporterBus([a, failing, b]);
    const failures = await bus.close();
    expect(failures.map((f) => [f.reporter, f.during, (f.error as Error).message])).to.deep.equal([["junit", "close", "EACCES"]]);
    expect(a.closed && b.closed).to.equal(true);
    expect(bus.failed).to.equal(true);
  });

  it("survives a reporter that throws a non-Error", function () {
    const a = recorder("a");
    const bus = new ReporterBus([
      {
        name: "weird",
        printsToConsole: false,
        onEvent() {
          throw "a string";
        },
      },
      a,
    ]);
    bus.emit({ type: "test-begin", id: "x" });
    expect(a.seen.map((e) => e.type)).to.deep.equal(["run-error", "test-begin"]);
  });
});

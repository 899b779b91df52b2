import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventsReporter, parseEventLines } from "../../../runner/report/events.ts";
import { sampleEvents } from "./sample-run.ts";

describe("report/events", function () {
  let dir = "";
  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "mailconform-events-"));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes one JSON event per line as they happen, and reads them back identically", async function () {
    const file = path.join(dir, "deep", "events.jsonl");
    const reporter = new EventsReporter({ file });
    const events = sampleEvents();
    reporter.onEvent(events[0]!);
    // On disk before the run ends: a crashed run keeps its stream.
    expect(await readFile(file, "utf8")).to.equal(JSON.stringify(events[0]) + "\n");
    for (const e of events.slice(1)) reporter.onEvent(e);
    reporter.close();
    const text = await readFile(file, "utf8");
    expect(text.trimEnd().split("\n")).to.have.length(events.length);
    expect(parseEventLines(text)).to.deep.equal(events);
  });

  it("names the line of a corrupt stream", function () {
    expect(() => parseEventLines('{"type":"run-begin"}\n{oops\n')).to.throw(/events line 2/);
  });
});

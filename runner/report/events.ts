// The raw event stream as JSON lines (--report-events FILE): our replayable
// "blob". One event a line, written synchronously as it happens, so a run that
// crashes still leaves everything up to the crash on disk; shards' streams
// can be merged and any report rebuilt from them later.

import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { ALL_LIVE_EVENTS, type RunEvent } from "../model/events.ts";
import type { Reporter } from "./reporter.ts";

export interface EventsOptions {
  file: string;
}

export class EventsReporter implements Reporter {
  readonly name = "events";
  readonly printsToConsole = false;
  /** The stream is every event, as it happens. */
  readonly liveEvents = ALL_LIVE_EVENTS;
  private fd: number | undefined;

  constructor(private readonly options: EventsOptions) {}

  onEvent(e: RunEvent): void {
    if (this.fd === undefined) {
      mkdirSync(path.dirname(path.resolve(this.options.file)), { recursive: true });
      this.fd = openSync(this.options.file, "w");
    }
    writeSync(this.fd, JSON.stringify(e) + "\n");
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a saved stream back, for replay into any reporter. */
export function parseEventLines(text: string): RunEvent[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as RunEvent;
      } catch (e) {
        throw new Error(`events line ${i + 1}: ${(e as Error).message}`);
      }
    });
}

// Fans every event out to every reporter, isolating them from each other: a
// reporter that throws is recorded, told nothing more, and reported to the
// others as a run-error; the run goes on and its exit code turns non-zero
// (the Playwright multiplexer's rule).

import type { LiveEvents, RunEvent } from "../model/events.ts";
import type { Reporter } from "./reporter.ts";

export interface ReporterFailure {
  reporter: string;
  /** "event" while the run goes on, "close" while writing the final files. */
  during: "event" | "close";
  error: unknown;
}

export class ReporterBus {
  private readonly broken = new Set<Reporter>();
  readonly failures: ReporterFailure[] = [];

  constructor(private readonly reporters: readonly Reporter[]) {}

  /** The live events any reporter reads (runner/exec/run-test.ts builds only those): what each asks for, all from one that does not say. */
  get liveEvents(): LiveEvents {
    const wants = (kind: keyof LiveEvents) => this.reporters.some((r) => r.liveEvents?.[kind] ?? true);
    return { steps: wants("steps"), wire: wants("wire") };
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  emit(event: RunEvent): void {
    for (const reporter of this.reporters) {
      if (this.broken.has(reporter)) continue;
      try {
        reporter.onEvent(event);
      } catch (error) {
        this.fail(reporter, "event", error);
      }
    }
  }

  /** Close every reporter, even after one fails; returns the failures of this phase. */
  async close(): Promise<ReporterFailure[]> {
    const before = this.failures.length;
    for (const reporter of this.reporters) {
      if (this.broken.has(reporter) || !reporter.close) continue;
      try {
        await reporter.close();
      } catch (error) {
        this.fail(reporter, "close", error);
      }
    }
    return this.failures.slice(before);
  }

  private fail(reporter: Reporter, during: ReporterFailure["during"], error: unknown): void {
    this.broken.add(reporter);
    this.failures.push({ reporter: reporter.name, during, error });
    if (during === "close") return; // the run is over; the orchestrator prints it to stderr
    const err = error instanceof Error ? error : new Error(String(error));
    // Tell the surviving reporters, so the failure shows in the console and the JSON report.
    this.emit({ type: "run-error", message: `reporter "${reporter.name}" failed: ${err.message}`, stack: err.stack });
  }
}

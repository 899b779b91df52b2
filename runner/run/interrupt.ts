// How a run learns it was interrupted: its caller aborts the run's signal
// with a RunInterrupt naming the process signal (the CLI on SIGINT and
// SIGTERM). Any other abort (a grading time budget) stops the run the same
// way, without a signal. Either way the reports say so and the run never
// exits 0 (run/outcome.ts).
// Standards: POSIX shells' 128 + signal number exit status (SIGINT 130, SIGTERM 143).

import type { InterruptSignal, Interruption } from "../model/result.ts";

export class RunInterrupt extends Error {
  constructor(readonly signal: InterruptSignal) {
    super(`interrupted by ${signal}`);
    this.name = "RunInterrupt";
  }
}

/** The signal that stopped the run, if a RunInterrupt aborted it. */
export function interruptSignal(signal: AbortSignal | undefined): InterruptSignal | undefined {
  return signal?.aborted && signal.reason instanceof RunInterrupt ? signal.reason.signal : undefined;
}

/** The words a not-run test's skipReason gives for a stop: "the run was interrupted by SIGINT". */
export function stopWords(signal: AbortSignal | undefined): string {
  const by = interruptSignal(signal);
  return by ? `the run was interrupted by ${by}` : "the run was interrupted";
}

/** What the reports say at the top of an aborted run; undefined when the run was not aborted. */
export function interruption(signal: AbortSignal | undefined, notRun: number, total: number): Interruption | undefined {
  if (!signal?.aborted) return undefined;
  const by = interruptSignal(signal);
  return { ...(by ? { signal: by } : {}), message: `${by ? `interrupted by ${by}` : "interrupted"}: ${notRun} of ${total} test${total === 1 ? "" : "s"} not run` };
}

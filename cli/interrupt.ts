// Ctrl-C and SIGTERM for the long commands (run, grade): the first signal
// aborts the work with a RunInterrupt naming it — nothing new starts, running
// tests stop at their next wait, the reports are written and say so, and the
// command exits 128 + the signal's number (130, 143) — and a second one kills
// at once, with the same status, as the signal's default action would.
// Standards: POSIX signal exit status (128 + n).

import { RunInterrupt } from "../runner/run/interrupt.ts";
import type { InterruptSignal } from "../runner/model/result.ts";

const SIGNALS: InterruptSignal[] = ["SIGINT", "SIGTERM"];

/** Listens until the returned function is called; `say` tells the user what happens now. */
export function abortOnSignals(controller: AbortController, say: (signal: InterruptSignal) => void): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (controller.signal.aborted) {
        // The second signal: the user means it. The default action's status, without waiting for the reports.
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
      say(signal);
      controller.abort(new RunInterrupt(signal));
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

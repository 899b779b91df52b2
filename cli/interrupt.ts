// Ctrl-C and SIGTERM for the long commands (run, grade): the first signal
// aborts the work with a RunInterrupt naming it — nothing new starts, running
// tests stop at their next wait, the account sweep runs, the reports are
// written and say so, and the command exits 128 + the signal's number (130,
// 143). For `run`, a second signal stops the sweep where it is (it then says
// what it left behind) and the reports are still written; without a sweep to
// stop (grade), or at the next signal, it kills at once, with the same
// status, as the signal's default action would.
// Standards: POSIX signal exit status (128 + n).

import { RunInterrupt } from "../runner/run/interrupt.ts";
import type { InterruptSignal } from "../runner/model/result.ts";

const SIGNALS: InterruptSignal[] = ["SIGINT", "SIGTERM"];

export interface SecondSignal {
  /** Aborted by the second signal: the after-run sweep stops. */
  controller: AbortController;
  say: (signal: InterruptSignal) => void;
}

/** Listens until the returned function is called; `say` tells the user what happens now. */
export function abortOnSignals(controller: AbortController, say: (signal: InterruptSignal) => void, second?: SecondSignal): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (!controller.signal.aborted) {
        say(signal);
        controller.abort(new RunInterrupt(signal));
      } else if (second && !second.controller.signal.aborted) {
        second.say(signal);
        second.controller.abort(new RunInterrupt(signal));
      } else {
        // The user means it. The default action's status, without waiting for the reports.
        process.exit(signal === "SIGINT" ? 130 : 143);
      }
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

// The one error type a step throws when the server — not our code — is at
// fault. run-test.ts turns it into a Failure; any other exception is our bug
// and propagates to become a run-error.
// Standards: none (runner internals).

import type { FailureClass } from "../model/failure.ts";

export class StepFailure extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    /** What the step expected; run-test fills in the step's own description when absent. */
    readonly expected: string | undefined,
    /** What arrived, already printable. */
    readonly actual: string,
  ) {
    super(message);
  }
}

/** The run's AbortSignal fired: the test stops where it is and is reported as skipped. */
export class TestAborted extends Error {
  constructor() {
    super("run aborted");
  }
}

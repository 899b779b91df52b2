// The one error type a step throws when the server — not our code — is at
// fault. It carries the report's Failure as far as the thrower knows it;
// runner/exec places it in the test. Any other exception is our bug and
// propagates to become a run-error.
// Standards: none (runner internals).

import type { FailureCause, FailureClass } from "../model/failure.ts";

export class StepFailure extends Error {
  readonly failure: FailureCause;

  constructor(
    failureClass: FailureClass,
    message: string,
    /** What the step expected; runner/exec fills in the step's own description when absent. */
    expected: string | undefined,
    /** What arrived, already printable. */
    actual: string,
  ) {
    super(message);
    this.failure = expected === undefined ? { class: failureClass, message, actual } : { class: failureClass, message, expected, actual };
  }
}

/** The run's AbortSignal fired: the test stops where it is and is reported as skipped. */
export class TestAborted extends Error {
  constructor() {
    super("run aborted");
  }
}

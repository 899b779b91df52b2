// The one error a target file or target flags raise: every problem found,
// positioned like suite errors, formatted once into the message.
// Standards: none.

import type { SuiteError } from "../model/failure.ts";
import { formatSuiteErrors } from "../suite/format.ts";

export class TargetError extends Error {
  constructor(
    readonly errors: SuiteError[],
    sources: ReadonlyMap<string, string> = new Map(),
  ) {
    super(formatSuiteErrors(errors, sources));
    this.name = "TargetError";
  }
}

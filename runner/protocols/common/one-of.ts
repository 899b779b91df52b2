// A one-of step's choice, the same for every protocol: the reply has been
// read once; each alternative's checks run on it in written order, and the
// first that passes is taken. When none does, the failure lists every
// alternative with the reason it did not match.
// Standards: none (suite language, docs/language.md "Branches").

import { StepFailure } from "../../session/step-failure.ts";

/**
 * The index of the first alternative whose `check` passes on the reply
 * already read (`shown`: the reply, for the failure). Only an assertion means
 * "not this one"; a malformed reply or a closed connection fails at once.
 */
export async function firstMatching(labels: string[], check: (index: number) => void | Promise<void>, shown: () => string): Promise<number> {
  const misses: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    try {
      await check(i);
      return i;
    } catch (error) {
      if (!(error instanceof StepFailure) || error.failure.class !== "assertion") throw error;
      misses.push(`${i + 1}. ${labels[i]}: ${error.failure.message}`);
    }
  }
  throw new StepFailure(
    "assertion",
    `the reply matches none of the ${labels.length} accepted alternatives (${misses.join("; ")})`,
    `one of: ${labels.join(" | ")}`,
    shown(),
  );
}

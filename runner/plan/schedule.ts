// The order tests start in, and which may run side by side. Pure: the
// orchestrator asks `nextRunnable` whenever a slot frees up. Order is by
// stable id (code-unit order, independent of locale), so two runs of the same
// selection start tests in the same order and reports list them identically;
// tests side by side on users of their own start longest first (a static
// estimate, the same every run), which changes nothing but the wall time.

import type { Step, TestCase } from "../model/ast.ts";
import { protocolsOf } from "./select.ts";

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function scheduleOrder(tests: readonly TestCase[]): TestCase[] {
  return [...tests].sort((a, b) => compareIds(a.id, b.id));
}

/**
 * Resources a test holds exclusively while it runs. A POP3 session locks the
 * user's whole maildrop (RFC 1939 §8: a second session must be refused), so
 * two POP3 tests for the same users cannot overlap without failing each
 * other; every test that opens a POP3 connection holds "pop3-maildrop".
 */
export function exclusiveResources(test: TestCase): string[] {
  return protocolsOf(test).includes("pop3") ? ["pop3-maildrop"] : [];
}

/**
 * Index into `queue` of the first test that may start now: not null (null
 * marks an entry that is not waiting for a slot) and with all its exclusive
 * resources free; -1 when none may. Taking the first eligible one keeps the
 * id order whenever concurrency allows it.
 */
export function nextRunnable(queue: readonly (TestCase | null)[], held: ReadonlySet<string>): number {
  return queue.findIndex((t) => t !== null && exclusiveResources(t).every((r) => !held.has(r)));
}

/** What one step that waits for the server (a reply, a close, a handshake) adds to the estimate. */
const STEP_ESTIMATE_MS = 2;
/** Steps that only write or close: no round trip, nothing to wait for. */
const WRITES_ONLY: ReadonlySet<Step["kind"]> = new Set(["send", "raw", "data", "close"]);

/**
 * A static guess at a test's length in ms: what it waits for — its declared
 * waits (`wait`, `expect silence`, inside a retry's first attempt) and
 * STEP_ESTIMATE_MS per step that waits for the server, as executed (repeats
 * unrolled, the longest branch). Only ordering uses it.
 */
export function estimatedMs(test: TestCase): number {
  const cost = (steps: readonly Step[]): number =>
    steps.reduce((ms, s) => {
      if (WRITES_ONLY.has(s.kind)) return ms;
      if (s.kind === "wait" || s.kind === "expect-silence") return ms + s.ms;
      if (s.kind === "repeat") return ms + Math.max(1, s.times) * cost(s.steps);
      if (s.kind === "retry" || s.kind === "may-close") return ms + cost(s.steps);
      if (s.kind === "one-of") return ms + STEP_ESTIMATE_MS + Math.max(0, ...s.branches.map((b) => cost(b.then)));
      if (s.kind === "if") return ms + STEP_ESTIMATE_MS + Math.max(cost(s.then), cost(s.else));
      return ms + STEP_ESTIMATE_MS;
    }, 0);
  return cost(test.setup) + cost(test.steps) + cost(test.cleanup) + cost(test.finally);
}

/**
 * Entries by estimatedMs, longest first, ties in id order. For tests that share
 * nothing (a user set per slot): a long test started last would end the run
 * alone, while started first its waits overlap the short tests' work.
 */
export function longestFirst<E extends { test: TestCase }>(entries: readonly E[]): E[] {
  const estimate = new Map(entries.map((e) => [e.test, estimatedMs(e.test)]));
  return [...entries].sort((a, b) => estimate.get(b.test)! - estimate.get(a.test)! || compareIds(a.test.id, b.test.id));
}

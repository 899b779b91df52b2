// The order tests start in, and which may run side by side. Pure: the
// orchestrator asks `nextRunnable` whenever a slot frees up. Order is by
// stable id (code-unit order, independent of locale), so two runs of the same
// selection start tests in the same order and reports list them identically.

import type { TestCase } from "../model/ast.ts";
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

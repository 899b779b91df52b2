// Concurrency without interference: with --jobs N and enough target users,
// each of the N worker slots gets its own disjoint set of users, so tests
// running side by side never share a maildrop or a mailbox (a POP3 session
// locks its user's whole maildrop, RFC 1939 §8; an IMAP test counts EXISTS in
// its user's INBOX). With too few users for two sets, the slots share the
// users and the exclusive resources of plan/schedule.ts keep POP3 tests apart.
// Standards: none (scheduling).

import type { TestCase } from "../model/ast.ts";

/**
 * Disjoint user sets, one per slot, each as large as the most users any test
 * needs (at least 1); undefined when fewer than two such sets fit (the slots
 * then share the target's users). The first set starts with the target's
 * first user, so a single-slot view of the run looks as it always did.
 */
export function userSets<U>(users: readonly U[], jobs: number, tests: readonly TestCase[]): U[][] | undefined {
  if (jobs < 2) return undefined;
  const size = Math.max(1, ...tests.map((t) => t.usersNeeded ?? 0));
  const slots = Math.min(jobs, Math.floor(users.length / size));
  if (slots < 2) return undefined;
  return Array.from({ length: slots }, (_, i) => users.slice(i * size, (i + 1) * size));
}

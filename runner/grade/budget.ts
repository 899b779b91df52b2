// How a target's time budget is shared between its protocols: each gets a
// share in proportion to its tests, and may run until the sum of its own
// share and those before it — so time a fast protocol leaves over passes on,
// but a slow protocol can never spend what belongs to the ones after it
// (./protocol-runs.ts also gives a late starter its whole share).
// Pure. Standards: none.

/** One protocol's slice: it may run until `endsAtMs` after the target's start. */
export interface BudgetSlice<P extends string> {
  protocol: P;
  shareMs: number;
  endsAtMs: number;
}

/** `counts` in run order; every protocol with a test gets at least 1 ms. */
export function shareBudget<P extends string>(counts: readonly { protocol: P; tests: number }[], budgetMs: number): BudgetSlice<P>[] {
  const total = counts.reduce((n, c) => n + c.tests, 0);
  let endsAtMs = 0;
  return counts.map((c, i) => {
    // The last slice ends exactly at the budget, whatever the rounding before it.
    const shareMs = i === counts.length - 1 ? budgetMs - endsAtMs : Math.max(1, Math.floor((budgetMs * c.tests) / Math.max(1, total)));
    endsAtMs += shareMs;
    return { protocol: c.protocol, shareMs, endsAtMs };
  });
}

// The one measure the statistics are made of: nearest-rank percentiles over
// whole-millisecond samples. (A line's octets are counted where it is
// recorded: runner/session/transcript.ts wireOctets.)
// Standards: none.

import type { Distribution } from "../model/stats.ts";

/** min, median (mean of the middle two for an even count), nearest-rank p95, max. */
export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, min: 0, median: 0, p95: 0, max: 0 };
  const mid = Math.floor(n / 2);
  const median = n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { count: n, min: sorted[0]!, median, p95: sorted[Math.max(0, Math.ceil(0.95 * n) - 1)]!, max: sorted[n - 1]! };
}

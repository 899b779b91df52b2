// Small measures the statistics are made of: nearest-rank percentiles over
// whole-millisecond samples, and the octet count of a transcript line.
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

/**
 * Octets a transcript line stood for on the wire, without its CRLF: the
 * engine's escapes (\xNN, \r, \n, \t) were one octet each, the rest is UTF-8.
 */
export function wireOctets(text: string): number {
  let escapes = 0;
  const plain = text.replace(/\\x[0-9a-f]{2}|\\[rnt]/g, () => {
    escapes++;
    return "";
  });
  return Buffer.byteLength(plain, "utf8") + escapes;
}

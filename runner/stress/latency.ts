// Per-command counters of a stress run: successful latencies (kept whole, a
// run is at most a few hundred thousand commands) and errors by message.
// Summaries are nearest-rank percentiles and the sum. Pure.
// Standards: none.

export interface CommandSummary {
  protocol: string;
  command: string;
  ok: number;
  errors: number;
  opsPerSecond: number;
  latencyMs: { min: number; median: number; p95: number; p99: number; max: number } | null;
  /** Sum of the successful latencies, ms: where a session's wall time went, by command (a median cannot say). */
  totalMs: number;
}

export interface ErrorSummary {
  protocol: string;
  command: string;
  message: string;
  count: number;
}

interface Counter {
  protocol: string;
  command: string;
  samples: number[];
  errors: number;
}

// Distinct error texts kept per command; a server failing every command the same way should not grow memory.
const MAX_ERROR_KINDS_PER_COMMAND = 20;

export class LatencyBook {
  private readonly counters = new Map<string, Counter>();
  private readonly errorTexts = new Map<string, ErrorSummary>();

  private counter(protocol: string, command: string): Counter {
    const key = `${protocol} ${command}`;
    let c = this.counters.get(key);
    if (!c) {
      c = { protocol, command, samples: [], errors: 0 };
      this.counters.set(key, c);
    }
    return c;
  }

  ok(protocol: string, command: string, ms: number): void {
    this.counter(protocol, command).samples.push(ms);
  }

  error(protocol: string, command: string, message: string): void {
    const c = this.counter(protocol, command);
    c.errors++;
    // Numbers in error texts (sequence numbers, sizes) would make every error distinct.
    const shape = message.replace(/\d+/g, "N");
    const key = `${protocol} ${command} ${shape}`;
    const known = this.errorTexts.get(key);
    if (known) known.count++;
    else if ([...this.errorTexts.values()].filter((e) => e.protocol === protocol && e.command === command).length < MAX_ERROR_KINDS_PER_COMMAND) {
      this.errorTexts.set(key, { protocol, command, message, count: 1 });
    }
  }

  get totalErrors(): number {
    let n = 0;
    for (const c of this.counters.values()) n += c.errors;
    return n;
  }

  summaries(wallSeconds: number): CommandSummary[] {
    return [...this.counters.values()].map((c) => {
      const sorted = Float64Array.from(c.samples).sort();
      return {
        protocol: c.protocol,
        command: c.command,
        ok: sorted.length,
        errors: c.errors,
        opsPerSecond: wallSeconds > 0 ? sorted.length / wallSeconds : 0,
        totalMs: c.samples.reduce((sum, ms) => sum + ms, 0),
        latencyMs:
          sorted.length === 0
            ? null
            : { min: sorted[0]!, median: rank(sorted, 0.5), p95: rank(sorted, 0.95), p99: rank(sorted, 0.99), max: sorted[sorted.length - 1]! },
      };
    });
  }

  errorSummaries(): ErrorSummary[] {
    return [...this.errorTexts.values()].sort((a, b) => b.count - a.count);
  }
}

/** Nearest-rank percentile of sorted samples. */
export function rank(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

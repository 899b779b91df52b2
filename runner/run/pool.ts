// Runs the planned tests up to `jobs` at a time, in schedule order, holding
// each test's exclusive resources (plan/schedule.ts) while it runs. Results
// decided in advance (skips, unreachable protocol) are emitted when they
// reach the head of the queue, so progress stays in id order with --jobs 1.
// --bail and an abort signal stop the scheduling: what has not started is
// reported as not run (skipKind not-run) with the reason; what runs finishes
// (--bail) or stops at its next wait (an abort, see run.ts). Each running
// test holds one of `jobs` numbered slots; with `isolatedSlots` every slot
// works on its own users (plan/user-sets.ts), so no resource is shared.

import type { TestCase } from "../model/ast.ts";
import type { TestResult } from "../model/result.ts";
import { exclusiveResources, nextRunnable } from "../plan/schedule.ts";
import { brokenResult, skippedResult } from "./results.ts";
import { stopWords } from "./interrupt.ts";

export interface PoolEntry {
  test: TestCase;
  /** Set when the outcome is known without running the test. */
  decided?: TestResult;
}

export interface PoolOptions {
  jobs: number;
  /** Each slot has users of its own: tests need not hold the exclusive resources of plan/schedule.ts. */
  isolatedSlots?: boolean;
  bail: boolean;
  signal?: AbortSignal;
  /** Runs one test in slot 0…jobs-1; must not reject (the caller turns its own bugs into a result). */
  execute(test: TestCase, slot: number): Promise<TestResult>;
  onBegin(test: TestCase): void;
  onEnd(test: TestCase, result: TestResult): void;
}

export function runPool(entries: readonly PoolEntry[], options: PoolOptions): Promise<TestResult[]> {
  const queue = [...entries];
  const held = new Set<string>();
  const results: TestResult[] = [];
  // Free slots, lowest first, so --jobs 1 always runs in slot 0.
  const freeSlots = Array.from({ length: Math.max(1, options.jobs) }, (_, i) => i);
  let running = 0;
  let stopReason: string | undefined;

  return new Promise((resolve) => {
    const finish = (test: TestCase, result: TestResult) => {
      results.push(result);
      options.onEnd(test, result);
      if (options.bail && !stopReason && (result.status === "failed" || result.status === "error")) {
        stopReason = `not run: --bail stopped the run after ${result.id} ${result.status === "failed" ? "failed" : "errored"}`;
      }
    };
    const onAbort = () => {
      stopReason ??= `not run: ${stopWords(options.signal)}`;
      pump();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) stopReason = `not run: ${stopWords(options.signal)}`;

    const pump = () => {
      for (;;) {
        if (stopReason) {
          for (const entry of queue.splice(0)) {
            options.onBegin(entry.test);
            finish(entry.test, entry.decided?.status === "skipped" ? entry.decided : skippedResult(entry.test, stopReason, "not-run"));
          }
        }
        const head = queue[0];
        if (head?.decided) {
          queue.shift();
          options.onBegin(head.test);
          finish(head.test, head.decided);
          continue;
        }
        if (freeSlots.length === 0) break;
        const i = nextRunnable(queue.map((e) => (e.decided ? null : e.test)), options.isolatedSlots ? new Set() : held);
        if (i < 0) break;
        const [entry] = queue.splice(i, 1);
        start(entry!.test);
      }
      if (queue.length === 0 && running === 0) {
        options.signal?.removeEventListener("abort", onAbort);
        resolve(results);
      }
    };

    const start = (test: TestCase) => {
      const resources = options.isolatedSlots ? [] : exclusiveResources(test);
      for (const r of resources) held.add(r);
      const slot = freeSlots.shift()!;
      running++;
      options.onBegin(test);
      void options
        .execute(test, slot)
        .catch((e: unknown) => brokenResult(test, e instanceof Error ? e.message : String(e), 0))
        .then((result) => {
          running--;
          freeSlots.push(slot);
          freeSlots.sort((a, b) => a - b);
          for (const r of resources) held.delete(r);
          finish(test, result);
          pump();
        });
    };

    pump();
  });
}

// The fuzzing contract and its driver: a target is a fast-check arbitrary of
// grammar-aware inputs plus a check that throws only on a server bug (a crash:
// any exception that is not the protocol's own refusal, or a broken invariant).
// The driver runs a seeded number of inputs, times each one against a bound
// (a parser that takes longer is a hang) and reports inputs, rate and failures.
// Standards: none (test machinery; the targets name theirs).

import fc from "fast-check";

export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Parse one input; throw on a bug. Refusals the protocol defines must not throw. */
  check(input: T): void;
  /** The input as printable text for a failure report. */
  show(input: T): string;
}

export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** One input taking longer than this counts as a hang (ms). */
  timeBoundMs: number;
}

export interface FuzzResult {
  target: string;
  inputs: number;
  ms: number;
  perSecond: number;
  /** Slowest single input (ms). */
  slowestMs: number;
  /** null when every input passed; else the (shrunk) counterexample and the error. */
  failure: string | null;
}

/** Inputs per fast-check run: small runs keep memory flat over a million inputs. */
const BATCH_INPUTS = 20_000;

export function fuzz<T>(target: FuzzTarget<T>, options: FuzzOptions): FuzzResult {
  const started = performance.now();
  let slowestMs = 0;
  let done = 0;
  let failure: string | null = null;
  const property = fc.property(target.arbitrary, (input) => {
    const t0 = performance.now();
    target.check(input);
    const took = performance.now() - t0;
    if (took > slowestMs) slowestMs = took;
    if (took > options.timeBoundMs) throw new Error(`hang: one input took ${took.toFixed(1)} ms (bound ${options.timeBoundMs} ms)`);
  });
  for (let batch = 0; done < options.inputs && failure === null; batch++) {
    const numRuns = Math.min(BATCH_INPUTS, options.inputs - done);
    const details = fc.check(property, { seed: options.seed + batch, numRuns, endOnFailure: false });
    done += details.numRuns;
    if (details.failed) {
      const error = details.errorInstance instanceof Error ? details.errorInstance.stack ?? details.errorInstance.message : String(details.errorInstance);
      const example = details.counterexample ? target.show(details.counterexample[0]) : "?";
      failure = `seed ${options.seed + batch}, path ${details.counterexamplePath}: input ${example}\n${error}`;
    }
  }
  const ms = performance.now() - started;
  return { target: target.name, inputs: done, ms, perSecond: done / (ms / 1000), slowestMs, failure };
}

/** Printable form of bytes for reports: escapes controls and 8-bit, cut to `max` characters. */
export function showBytes(data: Buffer | string, max = 400): string {
  const text = typeof data === "string" ? data : data.toString("latin1");
  const shown = JSON.stringify(text.length > max ? text.slice(0, max) + "…" : text);
  return shown;
}

// --shard i/n: split the selected tests (run) or a class's targets (grade)
// over n CI machines. Tests are sorted by their stable id first, targets keep
// the targets file's order, so every machine computes the same split without
// talking to the others (as Playwright and Jest shard); shard i takes the
// i-th contiguous block, the first (total mod n) blocks one item larger.

import type { TestCase } from "../model/ast.ts";
import { SelectionError } from "./select.ts";
import { compareIds } from "./schedule.ts";

export interface Shard {
  /** 1-based */
  index: number;
  total: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new SelectionError(`--shard ${JSON.stringify(text)}: expected i/n, e.g. 2/4`);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || index < 1 || index > total) {
    throw new SelectionError(`--shard ${text}: i must be between 1 and n, and n at least 1`);
  }
  return { index, total };
}

/** The half-open range [start, end) of `length` items that shard i of n takes. */
export function shardRange(length: number, shard: Shard): { start: number; end: number } {
  const base = Math.floor(length / shard.total);
  const extra = length % shard.total;
  const i = shard.index - 1;
  const start = i * base + Math.min(i, extra);
  return { start, end: start + base + (i < extra ? 1 : 0) };
}

export function shardTests(tests: readonly TestCase[], shard: Shard): TestCase[] {
  const sorted = [...tests].sort((a, b) => compareIds(a.id, b.id));
  const { start, end } = shardRange(sorted.length, shard);
  return sorted.slice(start, end);
}

/** "shard 2/4: 37 of 148 tests" — printed so a CI log shows what this machine ran. */
export function describeShard(shard: Shard, taken: number, of: number, noun = "tests"): string {
  return `shard ${shard.index}/${shard.total}: ${taken} of ${of} ${noun}`;
}

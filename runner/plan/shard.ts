// --shard i/n: split the selected tests over n CI machines. Tests are sorted
// by their stable id first, so every machine computes the same split without
// talking to the others (as Playwright and Jest shard); shard i takes the
// i-th contiguous block, the first (total mod n) blocks one test larger.

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

export function shardTests(tests: readonly TestCase[], shard: Shard): TestCase[] {
  const sorted = [...tests].sort((a, b) => compareIds(a.id, b.id));
  const base = Math.floor(sorted.length / shard.total);
  const extra = sorted.length % shard.total;
  const i = shard.index - 1;
  const start = i * base + Math.min(i, extra);
  const size = base + (i < extra ? 1 : 0);
  return sorted.slice(start, start + size);
}

/** "shard 2/4: 37 of 148 tests" — printed so a CI log shows what this machine ran. */
export function describeShard(shard: Shard, taken: number, of: number): string {
  return `shard ${shard.index}/${shard.total}: ${taken} of ${of} tests`;
}

// Sequence sets: parsing "2,4:7,9:*" (ranges may run backwards), resolving
// them against the open mailbox as message numbers or UIDs, and writing UID
// sets back compactly for COPYUID and APPENDUID.
// Standards: RFC 3501 §9 (sequence-set, seq-range: "4:2" equals "2:4"), §6.4.8 (UID ranges), RFC 4315 §4 (uid-set), RFC 5182 §3 ("$").

import { ClientError } from "../../core/errors.ts";
import { MAX_SEQUENCE_RANGES } from "../limits.ts";
import { syntax, type ArgReader } from "./reader.ts";

/** "*" is kept as STAR until it is resolved. */
export const STAR = -1;
export type SequenceSet = [number, number][];

/**
 * sequence-set = (seq-number / seq-range) ["," sequence-set]; seq-number = nz-number / "*"
 * sequence-set =/ seq-last-command ("$", RFC 5182 §3): where the command takes it, `lastResult`
 * gives the saved search result in this command's terms (numbers or UIDs); elsewhere "$" is a syntax error.
 */
export function readSequenceSet(r: ArgReader, lastResult?: () => SequenceSet): SequenceSet {
  if (lastResult !== undefined && r.accept("$")) return lastResult();
  const set: SequenceSet = [];
  do {
    const a = seqNumber(r);
    const b = r.accept(":") ? seqNumber(r) : a;
    set.push([a, b]);
    if (set.length > MAX_SEQUENCE_RANGES) syntax(`a sequence set may have at most ${MAX_SEQUENCE_RANGES} ranges`);
  } while (r.accept(","));
  return set;
}

function seqNumber(r: ArgReader): number {
  if (r.accept("*")) return STAR;
  return r.nzNumber("a sequence number");
}

/**
 * Message numbers 1..count named by the set, ascending. A number above the
 * count is a client error (RFC 3501 §9: "invalid"), and so is "*" when the
 * mailbox is empty: there is no largest number then.
 */
export function resolveSequenceNumbers(set: SequenceSet, count: number): number[] {
  const picked = new Set<number>();
  for (const [a0, b0] of set) {
    if ((a0 === STAR || b0 === STAR) && count === 0) throw new ClientError("syntax", "no messages: * names no message in an empty mailbox");
    const a = a0 === STAR ? count : a0;
    const b = b0 === STAR ? count : b0;
    if (a > count || b > count) throw new ClientError("syntax", `message number ${Math.max(a, b)} does not exist (${count} messages)`);
    for (let n = Math.min(a, b); n <= Math.max(a, b); n++) picked.add(n);
  }
  return [...picked].sort((x, y) => x - y);
}

/**
 * Positions (0-based) of messages whose UID is in the set; `uids` ascending.
 * UIDs that do not exist are ignored, and "*" is the highest UID in use, so
 * "UID FETCH 900:*" still returns the last message (RFC 3501 §6.4.8).
 */
export function resolveUids(set: SequenceSet, uids: readonly number[]): number[] {
  if (uids.length === 0) return [];
  const intervals = normalise(set, uids[uids.length - 1]!);
  const picked: number[] = [];
  uids.forEach((uid, i) => {
    if (within(intervals, uid)) picked.push(i);
  });
  return picked;
}

/** Whether a number is in the set, "*" standing for `star` (SEARCH keys). */
export function inSet(set: SequenceSet, n: number, star: number): boolean {
  return within(normalise(set, star), n);
}

// Sets are normalised once per use and cached: sorted, merged, disjoint intervals.
const normalised = new WeakMap<SequenceSet, { star: number; intervals: [number, number][] }>();

function normalise(set: SequenceSet, star: number): [number, number][] {
  const cached = normalised.get(set);
  if (cached && cached.star === star) return cached.intervals;
  const ranges = set
    .map(([a0, b0]) => {
      const a = a0 === STAR ? star : a0;
      const b = b0 === STAR ? star : b0;
      return [Math.min(a, b), Math.max(a, b)] as [number, number];
    })
    .sort((x, y) => x[0] - y[0]);
  const intervals: [number, number][] = [];
  for (const r of ranges) {
    const last = intervals[intervals.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else intervals.push([r[0], r[1]]);
  }
  normalised.set(set, { star, intervals });
  return intervals;
}

function within(intervals: readonly [number, number][], n: number): boolean {
  let lo = 0;
  let hi = intervals.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = intervals[mid]!;
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** uid-set in its shortest form, keeping the order given ("3:5,1"). */
export function formatUidSet(uids: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < uids.length) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(j === i ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

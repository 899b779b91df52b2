// A sequence-set in a response (ESEARCH ALL) compared with the one a pattern
// writes, by the numbers they name, since the server chooses the form: "2:4",
// "2,3,4" and "4:2" name the same messages. A pattern written in ascending
// order compares as a set (SEARCH results have no order: "the client MUST NOT
// assume that messages/UIDs will be listed in any particular order"); one
// that is not ascending compares in its order, ranges expanded upwards (an
// extended SORT's ALL is "in the requested sort order", and a range in it is
// "ordered in increasing numerical order after expansion").
// Standards: RFC 3501 §9 (sequence-set, seq-range), RFC 4731 §3.1 (ALL), RFC 5267 §3.1, §3.2 (ALL in sort order; ranges).

import type { PatternToken } from "../../../model/ast.ts";
import type { ImapToken } from "../../../../wire/imap-tokens.ts";

/** More numbers than this in one set are not expanded: compared as written instead. */
const MAX_EXPANDED = 100_000;

/** The numbers a sequence-set names, in written order, ranges upwards; null when it is no sequence-set of numbers. */
export function expandSequenceSet(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.split(",")) {
    const range = /^([1-9]\d{0,9})(?::([1-9]\d{0,9}))?$/.exec(part);
    if (range === null) return null;
    const a = Number(range[1]);
    const b = range[2] === undefined ? a : Number(range[2]);
    if (out.length + Math.abs(b - a) + 1 > MAX_EXPANDED) return null;
    for (let n = Math.min(a, b); n <= Math.max(a, b); n++) out.push(n);
  }
  return out;
}

function isAscending(numbers: readonly number[]): boolean {
  return numbers.every((n, i) => i === 0 || n > numbers[i - 1]!);
}

/** Whether the actual token names the numbers the pattern's sequence-set names (in order, where the pattern has one). */
export function sequenceSetEquals(pattern: PatternToken, actual: ImapToken): boolean {
  if ((pattern.type !== "atom" && pattern.type !== "number") || (actual.type !== "atom" && actual.type !== "number")) return false;
  if (pattern.type === "atom" && pattern.section !== undefined) return false;
  if (actual.type === "atom" && actual.section !== undefined) return false;
  const want = expandSequenceSet(pattern.value);
  const got = expandSequenceSet(actual.value);
  if (want === null || got === null) return pattern.value === actual.value;
  if (!isAscending(want)) return want.length === got.length && want.every((n, i) => got[i] === n);
  const named = new Set(got);
  return named.size === want.length && want.every((n) => named.has(n));
}

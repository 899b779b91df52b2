// Sort programs: the parenthesised criteria of SORT, and the order they
// define over messages with their sort fields. Every criterion ascends
// unless REVERSE precedes it; messages equal under all of them keep mailbox
// order, which REVERSE never turns around.
// Standards: RFC 5256 BASE.6.4.SORT (criteria, "implicit sort criterion of sequence number", REVERSE note), §5 (sort-criteria ABNF),
// RFC 5957 §4-§5 (DISPLAYFROM, DISPLAYTO).

import { syntax, type ArgReader } from "../grammar/reader.ts";
import { compareKeys } from "./collation.ts";
import type { SortFields } from "./fields.ts";

export type SortKey = "ARRIVAL" | "CC" | "DATE" | "FROM" | "SIZE" | "SUBJECT" | "TO" | "DISPLAYFROM" | "DISPLAYTO";
const SORT_KEYS: readonly string[] = ["ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"];

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

/** One message to be placed: its mailbox position (0-based), size, internal date and header facts. */
export interface Sortable {
  position: number;
  size: number;
  internalDate: number;
  fields: SortFields;
}

/** sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"; sort-criterion = ["REVERSE" SP] sort-key */
export function readSortCriteria(r: ArgReader): SortCriterion[] {
  r.expect("(", "a parenthesised list of sort criteria");
  const criteria: SortCriterion[] = [];
  for (;;) {
    let word = r.atom("a sort criterion").toUpperCase();
    const reverse = word === "REVERSE";
    if (reverse) {
      r.sp();
      word = r.atom("a sort criterion after REVERSE").toUpperCase();
    }
    if (!SORT_KEYS.includes(word)) syntax(`unknown sort criterion ${word.slice(0, 30)}`);
    criteria.push({ key: word as SortKey, reverse });
    if (r.accept(")")) return criteria;
    r.sp();
  }
}

function compareBy(key: SortKey, a: Sortable, b: Sortable): number {
  switch (key) {
    case "ARRIVAL":
      return a.internalDate - b.internalDate;
    case "DATE":
      return a.fields.sentDate - b.fields.sentDate;
    case "SIZE":
      return a.size - b.size;
    case "SUBJECT":
      return compareKeys(a.fields.subject, b.fields.subject);
    case "FROM":
      return compareKeys(a.fields.from, b.fields.from);
    case "TO":
      return compareKeys(a.fields.to, b.fields.to);
    case "CC":
      return compareKeys(a.fields.cc, b.fields.cc);
    case "DISPLAYFROM":
      return compareKeys(a.fields.displayFrom, b.fields.displayFrom);
    case "DISPLAYTO":
      return compareKeys(a.fields.displayTo, b.fields.displayTo);
  }
}

/** The messages in the order the criteria define, ties broken by mailbox order. */
export function sortMessages(messages: readonly Sortable[], criteria: readonly SortCriterion[]): Sortable[] {
  return [...messages].sort((a, b) => {
    for (const c of criteria) {
      const order = compareBy(c.key, a, b);
      if (order !== 0) return c.reverse ? -order : order;
    }
    return a.position - b.position;
  });
}

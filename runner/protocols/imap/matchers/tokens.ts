// Structural matching of an IMAP pattern (compiled by the loader, see
// pattern.ts) against a response's tokens, the way imaptest taught users to trust: atoms compare
// case-insensitively, strings exactly (a literal equals a quoted string with
// the same content), numbers numerically; $name captures on first sight and
// must be equal afterwards, $_ matches any one token, $$x is the atom $x.
// Lists are compared by what they mean: FETCH and STATUS attribute lists as
// key/value pairs in any order, flag lists and capability/search sets as
// sets, ESEARCH return data as pairs with ALL compared by the numbers it names
// (sequence-set.ts), everything else in order; a trailing "..." allows extra items, and
// in a set a flag written \Recent? may be absent.
// Standards: RFC 3501 §7 (response syntax), §7.4.2 (FETCH items in any order), §2.3.2 (flags), RFC 9051 §7,
// RFC 4466 §2.6.2 and RFC 4731 §3.1 (ESEARCH return data; ALL by the numbers it names).

import type { PatternToken } from "../../../model/ast.ts";
import { formatToken, tokenText, type ImapToken } from "../../../../wire/imap-tokens.ts";
import { ELLIPSIS } from "./pattern.ts";
import { sequenceSetEquals } from "./sequence-set.ts";

/** Captures bound during one match attempt; copied per attempt so a failed branch leaves no trace. */
export type Bindings = Map<string, string>;

/** Looks up a variable bound before this expect (earlier captures, builtins). */
export type Lookup = (name: string) => string | undefined;

type Mode = "seq" | "set" | "kv" | "sequence-set";
interface Shape {
  mode: Mode;
  /** Shape of a nested list: by position (seq) or by key (kv). */
  child(key: ImapToken | number): Shape;
}

const SEQ: Shape = { mode: "seq", child: () => SEQ };
const SET: Shape = { mode: "set", child: () => SEQ };
/** msg-att: FLAGS is a set, every other value in order (ENVELOPE, BODYSTRUCTURE). */
const FETCH_ATTS: Shape = { mode: "kv", child: (key) => (isAtom(key, "FLAGS") ? SET : SEQ) };
const STATUS_ATTS: Shape = { mode: "kv", child: () => SEQ };
/** A sequence-set value, compared by the numbers it names (sequence-set.ts). */
const SEQUENCE_SET: Shape = { mode: "sequence-set", child: () => SEQ };
/**
 * ESEARCH return data (RFC 4466 §2.6.2): pairs in any order, since the grammar fixes none;
 * ALL is a sequence-set whose form is the server's ("2:4" or "2,3,4", RFC 4731 §3.1).
 */
const ESEARCH_DATA: Shape = { mode: "kv", child: (key) => (isAtom(key, "ALL") ? SEQUENCE_SET : SEQ) };

/** Untagged responses whose arguments form a set (RFC 3501 §7.2.1 CAPABILITY, §7.2.5 SEARCH; RFC 5161 ENABLED). */
const SET_RESPONSES = new Set(["CAPABILITY", "ENABLED", "SEARCH"]);

/** Many matching attempts on one expect means a pathological pattern; stop searching instead of hanging. */
const MAX_ATTEMPTS = 200_000;

function isAtom(token: ImapToken | number, value: string): boolean {
  return typeof token !== "number" && token.type === "atom" && token.section === undefined && token.value.toUpperCase() === value;
}

function isEllipsis(token: PatternToken | undefined): boolean {
  return token?.type === "more";
}

function isOptional(token: PatternToken): boolean {
  return token.type === "atom" && token.optional === true;
}

export class Matcher {
  private attempts = 0;

  constructor(private readonly lookup: Lookup) {}

  /** Match a whole untagged response's tokens; on success `bindings` holds the new captures. */
  response(pattern: PatternToken[], actual: ImapToken[], bindings: Bindings): boolean {
    const index = actual[0]?.type === "number" ? 1 : 0;
    const keyword = actual[index];
    const word = keyword && keyword.type === "atom" ? keyword.value.toUpperCase() : "";
    if (word === "ESEARCH") return this.esearch(pattern, actual, index, bindings);
    if (SET_RESPONSES.has(word)) {
      return this.seq(pattern.slice(0, index + 1), actual.slice(0, index + 1), SEQ, bindings, false) &&
        this.list(pattern.slice(index + 1), actual.slice(index + 1), SET, bindings);
    }
    const shape: Shape = {
      mode: "seq",
      child: (key) => {
        if (typeof key !== "number") return SEQ;
        if (word === "FETCH" && key === index + 1) return FETCH_ATTS;
        if (word === "STATUS" && key === index + 2) return STATUS_ATTS;
        if ((word === "FLAGS" || word === "LIST" || word === "LSUB") && key === index + 1) return SET;
        return SEQ;
      },
    };
    return this.list(pattern, actual, shape, bindings);
  }

  /**
   * esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data): the UID
   * indicator as the pattern has it, the correlator only where the pattern writes one (it is
   * optional in the grammar), then the return data as pairs.
   */
  private esearch(pattern: PatternToken[], actual: ImapToken[], index: number, bindings: Bindings): boolean {
    const parts = <T extends PatternToken | ImapToken>(items: readonly T[]): { correlator: T[]; uid: T[]; data: T[] } => {
      let at = index + 1;
      const correlator = items[at]?.type === "list" ? [items[at++]!] : [];
      const next = items[at];
      const uid = next !== undefined && next.type === "atom" && next.value.toUpperCase() === "UID" ? [items[at++]!] : [];
      return { correlator, uid, data: items.slice(at) };
    };
    const p = parts(pattern);
    const a = parts(actual);
    const correlator = p.correlator.length > 0 ? a.correlator : [];
    return (
      this.seq([...pattern.slice(0, index + 1), ...p.correlator, ...p.uid], [...actual.slice(0, index + 1), ...correlator, ...a.uid], SEQ, bindings, false) &&
      this.list(p.data, a.data, ESEARCH_DATA, bindings)
    );
  }

  /** Match the items of a response code ("UIDVALIDITY $uv", "PERMANENTFLAGS (\Seen ...)"). */
  code(pattern: PatternToken[], actual: ImapToken[], bindings: Bindings): boolean {
    const first = actual[0];
    const word = first && first.type === "atom" ? first.value.toUpperCase() : "";
    if (word === "CAPABILITY") {
      return this.seq(pattern.slice(0, 1), actual.slice(0, 1), SEQ, bindings, false) && this.list(pattern.slice(1), actual.slice(1), SET, bindings);
    }
    const shape: Shape = { mode: "seq", child: (key) => (word === "PERMANENTFLAGS" && key === 1 ? SET : SEQ) };
    return this.list(pattern, actual, shape, bindings);
  }

  private budget(): boolean {
    return ++this.attempts <= MAX_ATTEMPTS;
  }

  private token(p: PatternToken, a: ImapToken, shape: Shape, bindings: Bindings): boolean {
    if (!this.budget()) return false;
    if (shape.mode === "sequence-set" && (p.type === "atom" || p.type === "number")) return sequenceSetEquals(p, a);
    switch (p.type) {
      case "any":
        return true;
      case "capture":
        return this.capture(p.name, a, bindings);
      case "more":
        // Not last in a sequence: the atom "..." itself.
        return scalarEquals({ type: "atom", value: ELLIPSIS }, a);
      case "template":
        throw new Error("IMAP pattern matched before its ${} references were resolved");
      case "list":
        return a.type === "list" && this.list(p.items, a.items, shape, bindings);
      case "bracket":
        return a.type === "bracket" && this.code(p.items, a.items, bindings);
      case "atom":
        if (p.section !== undefined) {
          return (
            a.type === "atom" &&
            a.section !== undefined &&
            p.value.toUpperCase() === a.value.toUpperCase() &&
            p.partial === a.partial &&
            this.list(p.section, a.section, SEQ, bindings)
          );
        }
        return scalarEquals(p, a);
      default:
        return scalarEquals(p, a);
    }
  }

  /** $name: bind on first sight, compare afterwards (to this match's bindings, then to earlier captures). */
  private capture(name: string, a: ImapToken, bindings: Bindings): boolean {
    const bound = bindings.get(name) ?? this.lookup(name);
    if (bound === undefined) {
      bindings.set(name, tokenText(a));
      return true;
    }
    return boundEquals(bound, a);
  }

  /** Items of a list (or of a top-level response) under `shape`; a trailing "..." makes it open. */
  list(pattern: PatternToken[], actual: ImapToken[], shape: Shape, bindings: Bindings): boolean {
    // In a sequence only a trailing "..." means "more may follow"; in a set or
    // pair list, where position means nothing, "..." anywhere opens it.
    const open = shape.mode === "seq" ? isEllipsis(pattern[pattern.length - 1]) : pattern.some(isEllipsis);
    const items = shape.mode === "seq" ? (open ? pattern.slice(0, -1) : pattern) : pattern.filter((t) => !isEllipsis(t));
    switch (shape.mode) {
      case "seq":
        return this.seq(items, actual, shape, bindings, open);
      case "set": {
        // `\Recent?` items may stay unmatched: required ones first, so each optional one only takes what is left.
        const required = items.filter((t) => !isOptional(t));
        const optional = items.filter(isOptional);
        if (required.length > actual.length || (!open && actual.length > items.length)) return false;
        return this.set([...required, ...optional], actual, 0, new Set(), bindings, { required: required.length, open });
      }
      case "sequence-set":
        return this.seq(items, actual, shape, bindings, open);
      case "kv":
        if (items.length % 2 !== 0 || actual.length % 2 !== 0) return false;
        if (open ? items.length > actual.length : items.length !== actual.length) return false;
        return this.pairs(items, actual, 0, new Set(), shape, bindings);
    }
  }

  private seq(pattern: PatternToken[], actual: ImapToken[], shape: Shape, bindings: Bindings, open: boolean): boolean {
    if (open ? pattern.length > actual.length : pattern.length !== actual.length) return false;
    const trial = new Map(bindings);
    for (let i = 0; i < pattern.length; i++) {
      if (!this.token(pattern[i]!, actual[i]!, shape.child(i), trial)) return false;
    }
    commit(bindings, trial);
    return true;
  }

  /**
   * Each pattern item takes a distinct actual item; backtracks so captures
   * can't steal a later item's match. Items from `required` on may take none;
   * unless `open`, every actual item must be taken.
   */
  private set(pattern: PatternToken[], actual: ImapToken[], at: number, used: Set<number>, bindings: Bindings, fit: { required: number; open: boolean }): boolean {
    if (at === pattern.length) return fit.open || used.size === actual.length;
    if (at >= fit.required && this.set(pattern, actual, at + 1, used, bindings, fit)) return true;
    for (let i = 0; i < actual.length; i++) {
      if (used.has(i)) continue;
      const trial = new Map(bindings);
      if (!this.token(pattern[at]!, actual[i]!, SEQ, trial)) continue;
      used.add(i);
      if (this.set(pattern, actual, at + 1, used, trial, fit)) {
        commit(bindings, trial);
        return true;
      }
      used.delete(i);
      if (!this.budget()) return false;
    }
    return false;
  }

  /** Key/value pairs: each pattern pair finds a distinct actual pair with an equal key and a matching value. */
  private pairs(pattern: PatternToken[], actual: ImapToken[], at: number, used: Set<number>, shape: Shape, bindings: Bindings): boolean {
    if (at >= pattern.length) return true;
    const key = pattern[at]!;
    for (let i = 0; i < actual.length; i += 2) {
      if (used.has(i)) continue;
      const trial = new Map(bindings);
      if (!this.token(key, actual[i]!, SEQ, trial)) continue;
      if (!this.token(pattern[at + 1]!, actual[i + 1]!, shape.child(actual[i]!), trial)) continue;
      used.add(i);
      if (this.pairs(pattern, actual, at + 2, used, shape, trial)) {
        commit(bindings, trial);
        return true;
      }
      used.delete(i);
      if (!this.budget()) return false;
    }
    return false;
  }
}

function commit(target: Bindings, trial: Bindings): void {
  for (const [name, value] of trial) target.set(name, value);
}

function scalarText(token: PatternToken | ImapToken): string | undefined {
  if (token.type === "atom" || token.type === "number") return token.value;
  if (token.type === "string") return typeof token.value === "string" ? token.value : token.value.toString("utf8");
  return undefined;
}

/**
 * Two scalars are equal when: both NIL; both numbers with the same value;
 * the pattern is an atom and the actual a string with the same text,
 * case-insensitively (MIME types, subtypes, encodings and parameter names in
 * BODYSTRUCTURE are case-insensitive, RFC 2045 §5.1/§6.1, and servers differ
 * in case: a suite writes them as atoms and a case-exact value as a quoted
 * string); either is a string and the contents are byte-equal (astring =
 * atom / string); both atoms, case-insensitively.
 */
export function scalarEquals(p: PatternToken, a: ImapToken): boolean {
  if (p.type === "nil" || a.type === "nil") return p.type === a.type;
  if (p.type === "atom" && p.section !== undefined) return false;
  if (a.type === "atom" && a.section !== undefined) return false;
  if (p.type === "number" && a.type === "number") return BigInt(p.value) === BigInt(a.value);
  const pt = scalarText(p);
  const at = scalarText(a);
  if (pt === undefined || at === undefined) return false;
  if (p.type === "atom" && a.type === "string") return pt.toUpperCase() === at.toUpperCase();
  if (p.type === "string" || a.type === "string") return pt === at;
  return pt.toUpperCase() === at.toUpperCase();
}

/** Compare a value bound earlier (as text) with a token seen now, by the token's kind. */
export function boundEquals(bound: string, a: ImapToken): boolean {
  switch (a.type) {
    case "number":
      return /^\d+$/.test(bound) && BigInt(bound) === BigInt(a.value);
    case "string":
      return bound === a.value.toString("utf8");
    case "nil":
      return bound.toUpperCase() === "NIL";
    case "atom":
      return bound.toUpperCase() === formatToken(a).toUpperCase();
    default:
      return bound === formatToken(a);
  }
}

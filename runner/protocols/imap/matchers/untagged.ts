// The `untagged` rules of an IMAP expect, checked against the untagged
// responses one command collected. Unordered by default: every `must` rule
// takes a distinct response (searching all assignments, so an early capture
// cannot steal a later rule's response), `count` asks for exactly that many,
// `not` rules match none, `may` rules only matter with `strict`, where a
// response no rule matches fails. `ordered` keeps the written order.
// Standards: RFC 3501 §2.2.2 (untagged data may arrive at any time, in any order), §7.

import type { PatternToken, Template, UntaggedRule } from "../../../model/ast.ts";
import type { ImapResponse } from "../../../../wire/imap-tokens.ts";
import { printable } from "../../../../wire/printable.ts";
import { resolvePattern } from "./pattern.ts";
import { Matcher, type Bindings, type Lookup } from "./tokens.ts";

type Untagged = Extract<ImapResponse, { kind: "untagged" }>;

export interface ParsedRule {
  rule: UntaggedRule;
  /** The pattern as written after ${} interpolation, without the leading "* ". */
  text: string;
  tokens: PatternToken[];
}

export interface RuleMismatch {
  message: string;
  expected: string;
}

/** A rule's compiled pattern with its ${} references resolved; throws ImapSyntaxError when a value breaks the syntax. */
export function parseRule(rule: UntaggedRule, resolve: (template: Template) => string): ParsedRule {
  return { rule, ...resolvePattern(rule.pattern, resolve) };
}

function matches(matcher: Matcher, rule: ParsedRule, response: Untagged, bindings: Bindings): Bindings | null {
  const trial = new Map(bindings);
  return matcher.response(rule.tokens, response.tokens, trial) ? trial : null;
}

/** Assign must rules (without count) to distinct responses, backtracking over choices. */
function assign(matcher: Matcher, rules: ParsedRule[], at: number, responses: Untagged[], used: Set<number>, bindings: Bindings): Bindings | null {
  if (at === rules.length) return bindings;
  for (let i = 0; i < responses.length; i++) {
    if (used.has(i)) continue;
    const trial = matches(matcher, rules[at]!, responses[i]!, bindings);
    if (!trial) continue;
    used.add(i);
    const done = assign(matcher, rules, at + 1, responses, used, trial);
    if (done) return done;
    used.delete(i);
  }
  return null;
}

/**
 * Check the rules; on success returns the captures they bound (merged into
 * `bindings`), else the first rule that failed.
 */
export function checkUntagged(rules: ParsedRule[], responses: Untagged[], ordered: boolean, strict: boolean, lookup: Lookup, bindings: Bindings): RuleMismatch | null {
  const matcher = new Matcher(lookup);
  const used = new Set<number>();
  let current: Bindings = new Map(bindings);

  // Rules with a count: exactly that many responses match (the first match binds captures).
  // They only count: a response they match stays free for the other must rules
  // ("3 LIST responses, and these two among them"), and counts as matched under strict.
  const counted = new Set<number>();
  for (const rule of rules.filter((r) => r.rule.mode === "must" && r.rule.count !== undefined)) {
    let n = 0;
    for (let i = 0; i < responses.length; i++) {
      const trial = matches(matcher, rule, responses[i]!, current);
      if (!trial) continue;
      current = trial;
      counted.add(i);
      n++;
    }
    if (n !== rule.rule.count) {
      return { message: `expected ${rule.rule.count} untagged responses matching "${rule.text}", got ${n}`, expected: `${rule.rule.count} × * ${rule.text}` };
    }
  }

  const must = rules.filter((r) => r.rule.mode === "must" && r.rule.count === undefined);
  if (ordered) {
    let from = 0;
    for (const rule of must) {
      let found = -1;
      for (let i = from; i < responses.length; i++) {
        if (used.has(i)) continue;
        const trial = matches(matcher, rule, responses[i]!, current);
        if (trial) {
          current = trial;
          found = i;
          break;
        }
      }
      if (found === -1) {
        const where = from > 0 ? " after the previous rule's response" : "";
        return { message: `no untagged response${where} matches "${rule.text}" (ordered)`, expected: `* ${rule.text}` };
      }
      used.add(found);
      from = found + 1;
    }
  } else {
    const assigned = assign(matcher, must, 0, responses, used, current);
    if (!assigned) {
      // Name the first rule that cannot be satisfied on its own, or the combination.
      const alone = must.find((rule) => !responses.some((r, i) => !used.has(i) && matches(matcher, rule, r, current)));
      if (alone) return { message: `no untagged response matches "${alone.text}"`, expected: `* ${alone.text}` };
      return { message: `untagged rules cannot all match distinct responses: ${must.map((r) => `"${r.text}"`).join(", ")}`, expected: must.map((r) => `* ${r.text}`).join("\n") };
    }
    current = assigned;
  }

  for (const rule of rules.filter((r) => r.rule.mode === "not")) {
    const hit = responses.find((r) => matches(matcher, rule, r, current));
    if (hit) return { message: `untagged response matches forbidden "${rule.text}": ${printable(hit.bytes, 200)}`, expected: `no * ${rule.text}` };
  }

  if (strict) {
    const allowed = rules.filter((r) => r.rule.mode !== "not");
    const stray = responses.find((r, i) => !used.has(i) && !counted.has(i) && !allowed.some((rule) => matches(matcher, rule, r, current)));
    if (stray) return { message: `untagged response matched by no rule (strict): ${printable(stray.bytes, 200)}`, expected: "only responses the rules allow" };
  }

  for (const [name, value] of current) bindings.set(name, value);
  return null;
}

/**
 * Whether `response` matches some must rule on its own (captures unbound).
 * A response that matches none cannot turn failing rules into passing ones:
 * it neither fills a must rule nor changes a count, and a `not` rule only gets worse.
 */
export function mayMatchMust(rules: ParsedRule[], response: Untagged, lookup: Lookup): boolean {
  const matcher = new Matcher(lookup);
  const must = rules.filter((r) => r.rule.mode === "must");
  if (must.length === 0) return true;
  const tokens = response.tokens;
  return must.some((rule) => matcher.response(rule.tokens, tokens, new Map()));
}

/** The collected untagged responses, for "actual:". */
export function describeResponses(responses: Untagged[]): string {
  if (responses.length === 0) return "no untagged responses";
  const shown = responses.slice(0, 20).map((r) => printable(r.bytes, 300));
  if (responses.length > 20) shown.push(`… ${responses.length - 20} more`);
  return shown.join("\n");
}

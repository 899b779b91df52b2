// An IMAP `expect`: decides which response the step is about (the oldest
// pending command's completion, a continuation request, the greeting or an
// untagged BYE), reads until it arrives while collecting untagged responses,
// then checks status, response code, text, untagged rules and captures.
// With no status asked while a command is in continuation (IDLE) or none is
// pending, it reads until the untagged rules are satisfied.
// Standards: RFC 3501 §7.1 (status responses, codes), §7.5 (continuation), §6.3.13 / RFC 2177 (IDLE).

import type { ImapExpect, ImapPattern, PatternToken, Span } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { formatToken, ImapSyntaxError, type ImapResponse, type ImapToken } from "../../../wire/imap-tokens.ts";
import { printable } from "../../../wire/printable.ts";
import { firstMatching } from "../common/one-of.ts";
import { applyCaptures, requireText } from "../common/text.ts";
import { resolvePattern } from "./matchers/pattern.ts";
import { Matcher, type Bindings } from "./matchers/tokens.ts";
import { checkUntagged, describeResponses, mayMatchMust, type ParsedRule } from "./matchers/untagged.ts";
import type { ImapState } from "./session-state.ts";

type Target = ImapResponse | null;

/**
 * A compiled pattern with its ${} references resolved. A value that breaks
 * the IMAP syntax is a suite bug, raised with the position of `span`
 * (`written`: what the pattern's text leaves out, an untagged rule's "* ").
 */
function resolveOrThrow(ctx: StepContext, pattern: ImapPattern, span: Span, written = ""): { text: string; tokens: PatternToken[] } {
  try {
    return resolvePattern(pattern, (t) => ctx.resolve(t));
  } catch (error) {
    if (error instanceof ImapSyntaxError) throw new Error(`${span.file}:${span.line}:${span.col}: IMAP pattern "${written}${ctx.resolve(pattern.text)}": ${error.message}`);
    throw error;
  }
}

/** A response code's name, its first atom (upper-cased), in a pattern or on the wire. */
function codeName(first: PatternToken | ImapToken | undefined): string | undefined {
  return first?.type === "atom" ? first.value.toUpperCase() : undefined;
}

function statusOf(response: ImapResponse): string {
  return response.kind === "continuation" ? "+" : (response.status ?? "(data)");
}

/** Read until the response this expectation is about has arrived; null in untagged-only mode. */
async function readTarget(state: ImapState, ctx: StepContext, expect: ImapExpect, rules: ParsedRule[]): Promise<Target> {
  const { deadline } = ctx;
  // The oldest command: responses complete in any order, expects consume them in the order sent.
  const pending = state.pending[0];
  const status = expect.status;

  if (status === "+") {
    await state.readUntil(deadline, "a continuation request (+)", () => state.continuations.length > 0 || pending?.completion !== undefined);
    const continuation = state.continuations.shift();
    if (continuation) return continuation;
    state.pending.splice(state.pending.indexOf(pending!), 1);
    return pending!.completion!;
  }

  if (pending && status !== "BYE" && status !== "PREAUTH" && !(status === undefined && pending.continued && pending.completion === undefined)) {
    await state.readUntil(deadline, `the completion of ${pending.tag}`, () => pending.completion !== undefined);
    state.pending.splice(state.pending.indexOf(pending), 1);
    return pending.completion!;
  }

  if (status !== undefined) {
    // The greeting, or an untagged BYE / PREAUTH; a completion that comes first answers instead.
    const wanted = (r: ImapResponse): boolean =>
      r.kind === "untagged" && r.status !== undefined && (status === "BYE" || status === "PREAUTH" ? r.status === "BYE" || r.status === "PREAUTH" : true);
    // Only responses not yet looked at are checked: a flood of data while waiting for a BYE stays linear.
    let unchecked = 0;
    const find = (): number => {
      for (; unchecked < state.untagged.length; unchecked++) if (wanted(state.untagged[unchecked]!)) return unchecked;
      return -1;
    };
    await state.readUntil(deadline, status === "BYE" ? "an untagged BYE" : "a server greeting", () => find() !== -1 || pending?.completion !== undefined);
    const at = find();
    if (at !== -1) return state.untagged.splice(at, 1)[0]!;
    state.pending.splice(state.pending.indexOf(pending!), 1);
    return pending!.completion!;
  }

  // Untagged-only: wait until the rules hold (IDLE updates, another session's changes).
  const lookup = (n: string): string | undefined => ctx.vars.get(n);
  const check = (): boolean => checkUntagged(rules, state.untagged, expect.ordered, false, lookup, new Map()) === null;
  // The rules are checked again only when a new response could change the outcome (it may match a must rule):
  // a flood of unrelated responses costs one match each, not a check of the whole queue each.
  let checked = state.untagged.length;
  const satisfied = (): boolean => {
    if (rules.length === 0) return state.untagged.length > 0;
    let relevant = false;
    for (; checked < state.untagged.length; checked++) relevant ||= mayMatchMust(rules, state.untagged[checked]!, lookup);
    return relevant && check();
  };
  if (rules.length === 0 ? state.untagged.length === 0 : !check()) {
    await state.readUntil(deadline, "untagged responses matching the rules", () => satisfied() || pending?.completion !== undefined);
  }
  return null;
}

function fail(message: string, expected: string, target: Target): never {
  throw new StepFailure("assertion", message, expected, target ? printable(target.bytes, 500) : "no response");
}

function resolveRules(ctx: StepContext, expect: ImapExpect): ParsedRule[] {
  return expect.untagged.map((rule) => ({ rule, ...resolveOrThrow(ctx, rule.pattern, rule.span, "* ") }));
}

export async function expectImap(state: ImapState, ctx: StepContext, expect: ImapExpect): Promise<void> {
  const rules = resolveRules(ctx, expect);
  const target = await readTarget(state, ctx, expect, rules);
  checkImap(ctx, expect, rules, target, state.takeUntagged());
  trackSequenceNumbers(state, ctx, expect);
}

/** The captures this step lists in `sequence-numbers:` follow the EXPUNGE / VANISHED responses read from here on. */
function trackSequenceNumbers(state: ImapState, ctx: StepContext, expect: ImapExpect): void {
  for (const name of expect.sequenceNumbers ?? []) state.sequences.track(name, ctx.vars);
}

/**
 * A one-of step: every alternative names a status (the loader checks), so one
 * response is read — the pending command's completion, or a continuation
 * request where an alternative expects "+" — with the untagged responses
 * before it; the first alternative that matches them is taken.
 */
export async function expectImapOneOf(state: ImapState, ctx: StepContext, expects: ImapExpect[], labels: string[]): Promise<number> {
  const continuation = expects.some((e) => e.status === "+" || (Array.isArray(e.status) && (e.status as string[]).includes("+")));
  const target = await readTarget(state, ctx, { ...expects[0]!, status: continuation ? "+" : "OK" }, []);
  const collected = state.takeUntagged();
  const taken = await firstMatching(labels, (i) => checkImap(ctx, expects[i]!, resolveRules(ctx, expects[i]!), target, collected), () => (target ? printable(target.bytes, 500) : "no response"));
  trackSequenceNumbers(state, ctx, expects[taken]!);
  return taken;
}

/** Captures and $name bindings are bound only once every check has passed. */
function checkImap(ctx: StepContext, expect: ImapExpect, rules: ParsedRule[], target: Target, collected: ImapState["untagged"]): void {
  const bindings: Bindings = new Map();
  const lookup = (name: string): string | undefined => ctx.vars.get(name);

  if (expect.status !== undefined && target) {
    const got = statusOf(target);
    const allowed: readonly string[] = Array.isArray(expect.status) ? expect.status : [expect.status];
    if (!allowed.includes(got)) {
      const code = "code" in target && target.code ? ` [${target.code.map(formatToken).join(" ")}]` : "";
      const text = "text" in target && target.text ? ` ${target.text}` : "";
      const wanted = allowed.join(" or ");
      fail(`expected ${wanted}, got ${got}${code}${text}`, wanted, target);
    }
  }

  if (expect.code !== undefined) {
    const { text, tokens } = resolveOrThrow(ctx, expect.code, ctx.span);
    const shown = `[${text}]`;
    const code = target && "code" in target ? target.code : undefined;
    if (!code) fail(`expected response code ${shown}, the response has none`, shown, target);
    if (!new Matcher(lookup).code(tokens, code, bindings)) {
      fail(`expected response code ${shown}, got [${code.map(formatToken).join(" ")}]`, shown, target);
    }
  }

  if (expect.codeIfPresent !== undefined) {
    // A code the RFC makes optional: checked only when the response carries one of that name.
    const { text, tokens } = resolveOrThrow(ctx, expect.codeIfPresent, ctx.span);
    const code = target && "code" in target ? target.code : undefined;
    const named = code !== undefined && codeName(code[0]) !== undefined && codeName(code[0]) === codeName(tokens[0]);
    if (named && !new Matcher(lookup).code(tokens, code, bindings)) {
      fail(`expected response code [${text}] (when present), got [${code.map(formatToken).join(" ")}]`, `[${text}]`, target);
    }
  }

  if (expect.text !== undefined && target) {
    const text = "text" in target ? (target.text ?? "") : "";
    requireText(text, ctx.resolveRegex(expect.text), printable(target.bytes, 500));
  }

  if (rules.length > 0) {
    const mismatch = checkUntagged(rules, collected, expect.ordered, expect.strict, (n) => bindings.get(n) ?? lookup(n), bindings);
    if (mismatch) throw new StepFailure("assertion", mismatch.message, mismatch.expected, describeResponses(collected));
  }

  for (const [name, value] of bindings) ctx.vars.bind(name, value);
  if (expect.captures.length === 0) return;
  // Text only when a capture reads it: a 20 MB FETCH is not decoded into a string for nothing.
  const lines = [...collected, ...(target ? [target] : [])].map((r) => r.bytes.toString("utf8"));
  applyCaptures(expect.captures, lines, ctx.vars, (t) => ctx.resolveRegex(t));
}

/** Read one response of any kind (expect-closed). */
export async function readAnyImap(state: ImapState, ctx: StepContext): Promise<void> {
  await state.readAndRoute(ctx.deadline, "an IMAP response");
  state.takeUntagged();
}

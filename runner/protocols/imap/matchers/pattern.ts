// IMAP patterns as the matcher reads them: the wire tokenizer's tokens with
// the suite language's placeholders recognised ($name, $_, a trailing "...",
// $$x for the atom $x, \Flag? for a flag that may be absent). The loader compiles each pattern once; when a step
// runs, only tokens written with ${} references are resolved and tokenized.
// Standards: RFC 3501 §4 (data formats), §9 (formal syntax); RFC 9051 §4.

import type { ImapPattern, PatternToken, Template } from "../../../model/ast.ts";
import { tokenize, type ImapToken } from "../../../../wire/imap-tokens.ts";

/** `$name` as the matcher binds it. */
const CAPTURE = /^\$([A-Za-z_][\w.-]*)$/;
export const ELLIPSIS = "...";
/** `\Recent?`: a system flag that may be missing from a flag list ("?" is no character of a flag name the RFCs define). */
const OPTIONAL_FLAG = /^\\[^?\s]+\?$/;

/**
 * Wire tokens → pattern tokens. `templateOf` (the loader's) returns the
 * compiled source of a token that holds ${} references; such a token is kept
 * whole, to be resolved when the step runs.
 */
export function patternTokens(tokens: readonly ImapToken[], templateOf?: (token: ImapToken) => Template | undefined): PatternToken[] {
  const convert = (t: ImapToken): PatternToken => {
    const template = templateOf?.(t);
    if (template !== undefined) return { type: "template", template };
    switch (t.type) {
      case "atom": {
        if (t.section !== undefined) {
          const atom: PatternToken = { type: "atom", value: t.value, section: t.section.map(convert) };
          if (t.partial !== undefined) atom.partial = t.partial;
          return atom;
        }
        if (t.value === "$_") return { type: "any" };
        const capture = CAPTURE.exec(t.value);
        if (capture) return { type: "capture", name: capture[1]! };
        if (t.value.startsWith("$$")) return { type: "atom", value: t.value.slice(1) };
        if (t.value === ELLIPSIS) return { type: "more" };
        if (OPTIONAL_FLAG.test(t.value)) return { type: "atom", value: t.value.slice(0, -1), optional: true };
        return { type: "atom", value: t.value };
      }
      case "string":
        return { type: "string", value: t.value.toString("utf8") };
      case "list":
        return { type: "list", items: t.items.map(convert) };
      case "bracket":
        return { type: "bracket", items: t.items.map(convert) };
      default:
        return t;
    }
  };
  return tokens.map(convert);
}

/** Whether a pattern holds ${} references (else its tokens are used as compiled). */
export function hasReferences(pattern: ImapPattern): boolean {
  return pattern.text.parts.some((part) => typeof part !== "string");
}

/**
 * The pattern's tokens and text with every ${} reference resolved. A
 * template token is tokenized as the text it resolves to, so a value that is
 * a number, NIL or a list compares as one; throws ImapSyntaxError when a
 * value breaks the syntax.
 */
export function resolvePattern(pattern: ImapPattern, resolve: (template: Template) => string): { text: string; tokens: PatternToken[] } {
  if (!hasReferences(pattern)) return { text: pattern.text.text, tokens: pattern.tokens };
  const walk = (tokens: readonly PatternToken[]): PatternToken[] =>
    tokens.flatMap((t): PatternToken[] => {
      switch (t.type) {
        case "template":
          return patternTokens(tokenize(resolve(t.template)));
        case "list":
        case "bracket":
          return [{ type: t.type, items: walk(t.items) }];
        case "atom":
          return t.section === undefined ? [t] : [{ ...t, section: walk(t.section) }];
        default:
          return [t];
      }
    });
  return { text: resolve(pattern.text), tokens: walk(pattern.tokens) };
}

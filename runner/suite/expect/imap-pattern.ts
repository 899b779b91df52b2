// Compiles the IMAP patterns suites write for untagged responses and response
// codes, once, with the wire tokenizer the run-time match uses: what does not
// tokenize is rejected here, `$name` / `$_` placeholders must be whole tokens
// and `...` comes last. Matching belongs to runner/protocols/imap/matchers/.
// Standards: RFC 3501 §4 (data formats), §7 (responses); RFC 9051 §4, §7.

import type { ImapPattern, PatternToken, Template, TemplatePart } from "../../model/ast.ts";
import { patternTokens, ELLIPSIS } from "../../protocols/imap/matchers/pattern.ts";
import { ImapSyntaxError, tokenize, type ImapToken, type TokenRanges } from "../../../wire/imap-tokens.ts";
import { compileTemplate } from "../template.ts";

export interface PatternProblem {
  /** Index into the pattern as written. */
  offset: number;
  message: string;
}

export type PatternRead =
  /** `names`: `$name` placeholders in order of first use, captured on first sight and compared after. */
  | { pattern: ImapPattern; names: string[]; problem?: undefined }
  | { problem: PatternProblem; pattern?: undefined; names?: undefined };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/**
 * `untagged`: a whole response line, starting "* ". `code`: the inside of a
 * response code, written without its brackets ("UIDVALIDITY $uv").
 * `written` is the pattern's template, already checked for its references.
 */
export function compileImapPattern(written: Template, kind: "untagged" | "code"): PatternRead {
  const value = written.text;
  if (kind === "untagged" && !value.startsWith("* ")) {
    return { problem: { offset: 0, message: `an untagged pattern starts with '* ', e.g. "* 1 EXISTS" (quote it: a plain '*' is a YAML alias)` } };
  }
  if (kind === "code" && value.startsWith("[")) return { problem: { offset: 0, message: "write the response code without its brackets, e.g. READ-WRITE" } };
  const skipped = kind === "untagged" ? /^\*\s+/.exec(value)![0].length : 0;
  const text = value.slice(skipped);
  const bytes = Buffer.from(text, "utf8");
  // Token positions are octets; messages count characters of the value as written.
  const at = (octet: number): number => skipped + bytes.subarray(0, octet).toString("utf8").length;
  const ranges: TokenRanges = new Map();
  let tokens: ImapToken[];
  try {
    tokens = tokenize(bytes, ranges);
  } catch (error) {
    if (!(error instanceof ImapSyntaxError)) throw error;
    return { problem: syntaxProblem(error, bytes, at) };
  }
  const names: string[] = [];
  const problem = checkTokens(tokens, ranges, at, names);
  if (problem !== undefined) return { problem };
  const templateOf = (token: ImapToken): Template | undefined => {
    if (token.type !== "string" && !(token.type === "atom" && token.value.includes("${"))) return undefined;
    const [start, end] = ranges.get(token)!;
    const source = bytes.toString("utf8", start, end);
    return source.includes("${") ? compileTemplate(source) : undefined;
  };
  const literalOnly = (t: PatternToken): PatternToken[] => {
    // `$${`: a template without references is resolved now, once.
    if (t.type === "template" && t.template.parts.every((p) => typeof p === "string")) return patternTokens(tokenize(t.template.parts.join("")));
    if (t.type === "list" || t.type === "bracket") return [{ type: t.type, items: t.items.flatMap(literalOnly) }];
    if (t.type === "atom" && t.section !== undefined) return [{ ...t, section: t.section.flatMap(literalOnly) }];
    return [t];
  };
  let compiled: PatternToken[];
  try {
    compiled = patternTokens(tokens, templateOf).flatMap(literalOnly);
  } catch (error) {
    if (!(error instanceof ImapSyntaxError)) throw error;
    return { problem: { offset: skipped, message: `not IMAP syntax once '$$' is read as '$': ${error.message.replace(/ at octet \d+$/, "")}` } };
  }
  return { pattern: { text: dropPrefix(written, skipped), tokens: compiled }, names };
}

/** The tokenizer's complaint in the words suite authors see. */
function syntaxProblem(error: ImapSyntaxError, bytes: Buffer, at: (octet: number) => number): PatternProblem {
  const reason = error.message.replace(/ at octet \d+$/, "");
  if (error.opened !== undefined) {
    const open = String.fromCharCode(bytes[error.opened]!);
    return { offset: at(error.opened), message: open === '"' ? "quoted string is not closed" : `'${open}' is not closed` };
  }
  const stray = /^unexpected "(.)"$/.exec(reason);
  if (stray) return { offset: at(error.offset), message: `'${stray[1]}' does not close anything here` };
  return { offset: at(error.offset), message: `not IMAP syntax: ${reason}` };
}

/** Placeholders are whole tokens; "..." is the last item of its line or list. */
function checkTokens(tokens: readonly ImapToken[], ranges: TokenRanges, at: (octet: number) => number, names: string[]): PatternProblem | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const offset = at(ranges.get(token)![0]);
    if (token.type === "list" || token.type === "bracket") {
      const inner = checkTokens(token.items, ranges, at, names);
      if (inner) return inner;
      continue;
    }
    if (token.type !== "atom") continue;
    const { value } = token;
    if (value === ELLIPSIS && token.section === undefined && i < tokens.length - 1) {
      // The matcher reads "..." as "more items may follow": only the last item of a line or list.
      return { offset, message: "'...' allows extra items at the end only: put it last in the line or list" };
    }
    // `${var}` is a reference (checked as a template) and `$$` a literal '$'.
    if (value.startsWith("$") && value[1] !== "{" && value[1] !== "$") {
      if (value.length === 1 || !NAME_START.test(value[1]!)) {
        return { offset, message: "'$' starts a placeholder ($name, or $_ for any value); write '$$' for a literal '$'" };
      }
      let end = 2;
      while (end < value.length && NAME_CHAR.test(value[end]!)) end++;
      if (end < value.length || token.section !== undefined) return { offset, message: "a placeholder is a whole token: end it with a space, ')' or ']'" };
      const name = value.slice(1);
      if (name !== "_" && !names.includes(name)) names.push(name);
    }
    if (token.section !== undefined) {
      const inner = checkTokens(token.section, ranges, at, names);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The template without its first `n` characters (an untagged pattern's "* "), references shifted. */
function dropPrefix(template: Template, n: number): Template {
  if (n === 0) return template;
  let cut = n;
  const parts: TemplatePart[] = [];
  for (const part of template.parts) {
    if (typeof part === "string") {
      if (cut >= part.length) cut -= part.length;
      else {
        parts.push(part.slice(cut));
        cut = 0;
      }
    } else parts.push({ ref: part.ref, offset: part.offset - n });
  }
  return { text: template.text.slice(n), parts };
}

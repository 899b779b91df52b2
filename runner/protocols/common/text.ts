// Regex expectations over reply text and the captures that bind values from
// it, shared by all three protocols. A capture takes the first group (or the
// whole match) from the first text that matches.
// Standards: none (suite language); matches structure-free text only where a suite asks for it.

import type { Capture, Template } from "../../model/ast.ts";
import type { Variables } from "../../session/variables.ts";
import { StepFailure } from "../../session/step-failure.ts";

/**
 * A suite's regular expression: JavaScript syntax, and a leading "(?i)" makes
 * it case-insensitive — the PCRE/Python spelling, which Node 20's RegExp lacks.
 * ABNF literal strings are case-insensitive (RFC 5234 §2.3), so a pattern for
 * `Return-Path:` or `with ESMTP` says so.
 */
export function compilePattern(source: string): RegExp {
  return source.startsWith("(?i)") ? new RegExp(source.slice(4), "i") : new RegExp(source);
}

/** How a failure shows a compiled pattern: as written in the suite. */
export function shownPattern(regex: RegExp): string {
  return `/${regex.flags.includes("i") ? "(?i)" : ""}${regex.source}/`;
}

/** Fail unless `pattern` matches `text`; `shown` is the reply the failure quotes (the text itself by default). */
export function requireText(text: string, pattern: string | undefined, shown = text): void {
  if (pattern === undefined) return;
  if (!compilePattern(pattern).test(text)) {
    throw new StepFailure("assertion", `text does not match /${pattern}/`, `text matching /${pattern}/`, shown);
  }
}

/**
 * Bind each capture from the first of `texts` its regex matches; a capture
 * that matches nothing fails the step. `resolveRegex` inserts ${…} values
 * escaped, so a variable in a capture regex matches its value literally.
 */
export function applyCaptures(captures: readonly Capture[], texts: readonly string[], vars: Variables, resolveRegex: (template: Template) => string): void {
  for (const capture of captures) {
    const regex = compilePattern(resolveRegex(capture.regex));
    let bound = false;
    for (const text of texts) {
      const match = regex.exec(text);
      if (match) {
        vars.bind(capture.name, match[1] ?? match[0]);
        bound = true;
        break;
      }
    }
    if (!bound) {
      throw new StepFailure("assertion", `capture ${capture.name}: ${shownPattern(regex)} matches nothing in the reply`, `a reply matching ${shownPattern(regex)}`, texts.join("\n"));
    }
  }
}

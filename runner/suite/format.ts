// How a SuiteError reads on a terminal and in every report: Hurl's layout,
// `file:line:col: message`, then the source line with carets under the key or
// value at fault. One format for validate, run and the target loader.
// Standards: none (GNU "file:line:col: message" convention).

import type { SuiteError } from "../model/failure.ts";
import { excerpt } from "../source/excerpt.ts";
import { sourceLine } from "../source/cache.ts";

function render(e: SuiteError, line: (n: number) => string | undefined): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.col}` : e.file;
  const hint = e.suggestion === undefined ? "" : ` (did you mean '${e.suggestion}'?)`;
  const head = `${where}: ${e.message}${hint}`;
  const text = e.line > 0 ? line(e.line) : undefined;
  if (text === undefined) return head;
  const ex = excerpt(text, e.line, e.col, e.length ?? 1);
  return [head, `${ex.gutter} |`, `${ex.lineNumber} | ${ex.source}`, `${ex.gutter} | ${ex.carets}`].join("\n");
}

/** One error with its excerpt: from `source` (the file's text) when given, else from the suite text the loader read. */
export function formatSuiteError(e: SuiteError, source?: string): string {
  return render(e, (n) => (source === undefined ? sourceLine(e.file, n) : source.split(/\r?\n/)[n - 1]));
}

/**
 * Several errors, each with its excerpt, separated by blank lines. `sources`:
 * the texts of files that are not suites (targets, profiles); without it, the suite texts.
 */
export function formatSuiteErrors(errors: readonly SuiteError[], sources?: ReadonlyMap<string, string>): string {
  return errors.map((e) => render(e, (n) => (sources === undefined ? sourceLine(e.file, n) : sources.get(e.file)?.split(/\r?\n/)[n - 1]))).join("\n\n");
}

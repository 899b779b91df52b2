// How a SuiteError reads on a terminal and in every report: Hurl's layout,
// `file:line:col: message`, then the source line with carets under the key or
// value at fault. One format for validate, run and the target loader.
// Standards: none (GNU "file:line:col: message" convention).

import type { SuiteError } from "../model/failure.ts";

const MAX_CARETS = 60;

/** One error; with `source` (the file's text) the line and carets follow. */
export function formatSuiteError(e: SuiteError, source?: string): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.col}` : e.file;
  const hint = e.suggestion === undefined ? "" : ` (did you mean '${e.suggestion}'?)`;
  const head = `${where}: ${e.message}${hint}`;
  const text = source?.split(/\r?\n/)[e.line - 1];
  if (e.line <= 0 || text === undefined) return head;
  // YAML allows no tabs in indentation; any left are shown as one space so carets line up.
  const shown = text.replace(/\t/g, " ").trimEnd();
  const start = Math.min(Math.max(0, e.col - 1), shown.length);
  const width = Math.max(1, Math.min(e.length ?? 1, MAX_CARETS, Math.max(1, shown.length - start)));
  const number = String(e.line);
  const gutter = " ".repeat(number.length);
  return [head, `${gutter} |`, `${number} | ${shown}`, `${gutter} | ${" ".repeat(start)}${"^".repeat(width)}`].join("\n");
}

/** Several errors, each with its excerpt when its file's text is in `sources`, separated by blank lines. */
export function formatSuiteErrors(errors: readonly SuiteError[], sources: ReadonlyMap<string, string> = new Map()): string {
  return errors.map((e) => formatSuiteError(e, sources.get(e.file))).join("\n\n");
}

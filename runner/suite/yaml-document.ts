// Parses one YAML file with line/column bookkeeping and turns the yaml
// library's syntax errors into positioned SuiteErrors, with hints for the
// traps suite authors fall into. Shared by the suite and target loaders.
// Standards: YAML 1.2.2 (core schema), as implemented by the `yaml` package.

import { LineCounter, parseDocument, type Document } from "yaml";
import type { SuiteError } from "../model/failure.ts";

export interface YamlSource {
  /** The file as named in messages. */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface Position {
  line: number;
  col: number;
}

export function positionAt(source: Pick<YamlSource, "lines">, offset: number): Position {
  const { line, col } = source.lines.linePos(offset);
  return { line, col };
}

/** Characters from `start` to `end`, cut at the end of the line: the width to underline. */
export function underlineLength(text: string, start: number, end: number): number {
  const eol = text.indexOf("\n", start);
  const stop = Math.min(end, eol < 0 ? text.length : eol);
  return Math.max(1, stop - start);
}

/**
 * Parses `text`; syntax errors are returned (all of them, one per line) and
 * the document is only to be read when there are none.
 */
export function parseYaml(file: string, text: string, options: { merge?: boolean } = {}): { source: YamlSource; errors: SuiteError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: options.merge ?? false });
  const source: YamlSource = { file, text, doc, lines };
  const errors: SuiteError[] = [];
  const linesWithError = new Set<number>();
  for (const e of doc.errors) {
    const [start, end] = e.pos;
    const { line, col } = positionAt(source, start);
    // One syntax error often drags follow-ups on the same line ("unexpected
    // scalar" after a bad alias); the first one says what is wrong.
    if (linesWithError.has(line)) continue;
    linesWithError.add(line);
    errors.push({ file, line, col, message: describeYamlError(e.code, e.message, text, start), length: underlineLength(text, start, end) });
  }
  return { source, errors };
}

function describeYamlError(code: string, message: string, text: string, start: number): string {
  if (code === "BAD_ALIAS" && /^\*(\s|$)/.test(text.slice(start, start + 2))) {
    // `- * OK [UIDVALIDITY 1]`: a plain `*` starts an alias in YAML.
    return "YAML: an unquoted '*' starts an alias; quote the value, e.g. \"* OK ...\"";
  }
  if (code === "BAD_ALIAS" || code === "BAD_ANCHOR_NAME") {
    return `YAML: ${lowerFirst(message)}; quote values that start with '*' or '&'`;
  }
  if (code === "DUPLICATE_KEY") return `YAML: duplicate key '${/^[^:\n]*/.exec(text.slice(start))![0].trim()}'`;
  if (code === "TAB_AS_INDENT") return "YAML: tabs are not allowed for indentation; use spaces";
  if (code === "MULTIPLE_DOCS") return "YAML: one document per file (remove the second '---')";
  return `YAML: ${lowerFirst(message.split("\n")[0]!.replace(/ at line \d+, column \d+.*$/, ""))}`;
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

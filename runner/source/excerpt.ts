// The one caret renderer: a suite line with carets under a position, as both
// a load error (runner/suite/format.ts) and a failed step (report/format/,
// for console, JUnit, Allure, CTRF) show it, in Hurl's layout.
// Standards: none (report format).

/** Carets stop here: a long value is marked by its start, not underlined to the edge of the terminal. */
const MAX_CARETS = 60;

export interface Excerpt {
  /** Spaces as wide as the line number, for the lines around it. */
  gutter: string;
  lineNumber: string;
  /** The line as shown: tabs as one space each (so carets line up), no trailing blanks. */
  source: string;
  /** Spaces up to the column, then carets under `length` characters (default: the rest of the line). */
  carets: string;
}

export function excerpt(text: string, line: number, col: number, length = Number.POSITIVE_INFINITY): Excerpt {
  const source = text.replace(/\t/g, " ").trimEnd();
  const start = Math.min(Math.max(0, col - 1), source.length);
  const width = Math.max(1, Math.min(length, MAX_CARETS, source.length - start));
  const lineNumber = String(line);
  return { gutter: " ".repeat(lineNumber.length), lineNumber, source, carets: " ".repeat(start) + "^".repeat(width) };
}

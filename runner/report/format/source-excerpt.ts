// The suite line a failure points at, with carets under the failing
// expectation (Hurl's renderer). Reads the suite file again at report time,
// once per file; a file that cannot be read just yields no excerpt.

import { readFileSync } from "node:fs";
import type { Span } from "../../model/ast.ts";

export class SourceCache {
  private readonly files = new Map<string, string[] | null>();

  line(file: string, line: number): string | undefined {
    let lines = this.files.get(file);
    if (lines === undefined) {
      try {
        lines = readFileSync(file, "utf8").split(/\r?\n/);
      } catch {
        lines = null;
      }
      this.files.set(file, lines);
    }
    return lines?.[line - 1];
  }
}

export interface Excerpt {
  gutter: string;
  lineNumber: string;
  source: string;
  /** Spaces up to the column, then carets under the rest of the written value. */
  carets: string;
}

const MAX_CARETS = 60;

export function excerptAt(span: Span, sources: SourceCache): Excerpt | undefined {
  const text = sources.line(span.file, span.line);
  if (text === undefined) return undefined;
  const source = text.replace(/\t/g, " ").trimEnd();
  const start = Math.max(0, Math.min(span.col - 1, source.length));
  const width = Math.max(1, Math.min(MAX_CARETS, source.length - start));
  const lineNumber = String(span.line);
  return {
    gutter: " ".repeat(lineNumber.length),
    lineNumber,
    source,
    carets: " ".repeat(start) + "^".repeat(width),
  };
}

// The text of each suite file, read once per process: the loader (runner/suite/)
// stores what it read, and every later reader (validate's and run's error
// excerpts, the reporters' carets under a failure) takes it from here. A file
// the loader never read (a report replayed from a saved stream) is read on
// first use; one that cannot be read has no text. Imports nothing of the runner.
// Standards: none.

import { readFileSync } from "node:fs";

const texts = new Map<string, string | null>();
const lines = new Map<string, string[] | null>();

/** What the loader read of `file` (the name suite errors and spans carry). */
export function rememberSource(file: string, text: string): void {
  texts.set(file, text);
  lines.delete(file);
}

/** The text of `file`, or undefined when it cannot be read. */
export function sourceText(file: string): string | undefined {
  let text = texts.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    } catch {
      text = null;
    }
    texts.set(file, text);
  }
  return text ?? undefined;
}

/** Line `line` (1-based) of `file`; the file is split into lines once. */
export function sourceLine(file: string, line: number): string | undefined {
  let split = lines.get(file);
  if (split === undefined) {
    const text = sourceText(file);
    split = text === undefined ? null : text.split(/\r?\n/);
    lines.set(file, split);
  }
  return split?.[line - 1];
}

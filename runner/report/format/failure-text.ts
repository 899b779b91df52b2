// One failed or erroring test as text, in the Hurl shape: title, `--> file:line:col`,
// the suite line with carets and the one-line message, then expected / actual,
// the command sent (already redacted by the engine), and the transcript tail.
// Console, JUnit and Allure all print this same text.

import pc from "picocolors";
import type { TestResult } from "../../model/result.ts";
import { displayPath } from "./paths.ts";
import { excerpt } from "../../source/excerpt.ts";
import { sourceLine } from "../../source/cache.ts";
import { terminalSafe } from "./terminal-safe.ts";
import { formatTranscript, transcriptTail } from "./transcript.ts";
import { hangingIndent } from "./hanging-indent.ts";

export type Colors = ReturnType<typeof pc.createColors>;

export const PLAIN: Colors = pc.createColors(false);

export interface FailureTextOptions {
  cwd: string;
  colors?: Colors;
  /** How many transcript lines to show: 0 for none (the report attaches it apart), Infinity for all. */
  transcriptLines: number;
}

const STATUS_WORD: Record<TestResult["status"], string> = {
  passed: "PASS",
  failed: "FAIL",
  skipped: "SKIP",
  error: "ERROR",
};

export function failureText(result: TestResult, options: FailureTextOptions): string[] {
  const c = options.colors ?? PLAIN;
  const out: string[] = [];
  const word = STATUS_WORD[result.status];
  out.push(`${c.bold(c.red(word))} ${c.bold(result.id)}: ${result.title}`);
  const f = result.failure;
  if (f) {
    const where = `${displayPath(f.position.file, options.cwd)}:${f.position.line}:${f.position.col}`;
    out.push(`  ${c.cyan("-->")} ${where}`);
    // Carets under the rest of the failing field's line, from the text the loader read.
    const line = sourceLine(f.position.file, f.position.line);
    if (line !== undefined) {
      const ex = excerpt(line, f.position.line, f.position.col);
      const bar = c.cyan("|");
      out.push(`  ${ex.gutter} ${bar}`);
      out.push(`  ${c.cyan(ex.lineNumber)} ${bar} ${ex.source}`);
      out.push(`  ${ex.gutter} ${bar} ${c.red(ex.carets)} ${c.red(terminalSafe(f.message))}`);
      out.push(`  ${ex.gutter} ${bar}`);
    } else {
      out.push(`  ${terminalSafe(f.message)}`);
    }
    out.push(...expectedActual(f, c));
    if (f.command !== undefined) out.push(`  command:  ${terminalSafe(f.command)}`);
    out.push(`  step:     ${f.phase} ${f.step} (${f.class})`);
  } else {
    out.push(`  ${displayPath(result.file, options.cwd)}:${result.line}`);
  }
  if (result.refs.length > 0) out.push(`  refs:     ${result.refs.join(", ")} (${result.level})`);
  // The RFC's own words, so a reader checks the claim and its level without opening the RFC.
  for (const q of result.quote ?? []) out.push(`  quote:    ${c.italic(`"${terminalSafe(q)}"`)}`);
  for (const w of result.warnings) out.push(`  ${c.yellow("warning:")}  ${terminalSafe(w)}`);
  if (result.transcript.length > 0 && options.transcriptLines > 0) {
    const tail = transcriptTail(result.transcript, options.transcriptLines);
    out.push(`  ${tail.header}`);
    out.push(...formatTranscript(tail.lines, "    ").map((l) => c.dim(l)));
  }
  return out;
}

/** The expected and actual lines, multi-line values indented under their first line (console and JUnit alike). */
export function expectedActual(f: { expected: string; actual: string }, c: Colors = PLAIN): string[] {
  // Coloured per line: a colour sequence spanning a line break would paint the indent too, and some CI logs reset colour at line ends.
  const paint = (text: string, colour: (s: string) => string) => terminalSafe(text).split(/\r?\n/).map(colour).join("\n");
  return [hangingIndent("  expected: ", paint(f.expected, c.green)), hangingIndent("  actual:   ", paint(f.actual, c.red))];
}

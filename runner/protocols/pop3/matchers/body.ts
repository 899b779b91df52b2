// The `body` matchers of a POP3 multiline response: byte-exact equality with
// a fixture or inline text (both in CRLF wire form), line count, size in
// octets, line regexes (some line matches / no line matches) and the
// CAPA-style line set.
// Standards: RFC 1939 §3 (multiline bodies), §5 and §11 (message sizes), RFC 2449 §5 (CAPA lines).

import { readFile } from "node:fs/promises";
import type { Pop3Expect } from "../../../model/ast.ts";
import { StepFailure } from "../../../exec/step-failure.ts";
import { joinLines, splitTextLines } from "../../../wire/dot-stuffing.ts";
import { printable } from "../../../wire/printable.ts";
import { checkLineSet } from "../../common/line-set.ts";

type BodyExpect = NonNullable<Pop3Expect["body"]>;

function summary(lines: readonly Buffer[]): string {
  const shown = lines.slice(0, 10).map((l) => printable(l, 200));
  if (lines.length > 10) shown.push(`… ${lines.length - 10} more lines`);
  return shown.join("\n");
}

export async function requireBody(
  lines: readonly Buffer[],
  body: BodyExpect,
  resolve: (template: string) => string,
  resolveRegex: (template: string) => string,
): Promise<void> {
  if (body.equals) {
    const source = body.equals;
    const raw = source.kind === "text" ? Buffer.from(resolve(source.text), "utf8") : await readFile(source.path);
    const expectedLines = splitTextLines(raw);
    const expected = joinLines(expectedLines);
    const actual = joinLines(lines);
    if (!expected.equals(actual)) {
      const at = expectedLines.findIndex((line, i) => lines[i] === undefined || !line.equals(lines[i]!));
      const index = at === -1 ? expectedLines.length : at;
      const what = source.kind === "file" ? `fixture ${source.path}` : "the expected text";
      throw new StepFailure(
        "assertion",
        `body differs from ${what} at line ${index + 1} (${lines.length} lines received, ${expectedLines.length} expected)`,
        expectedLines[index] === undefined ? "end of body" : printable(expectedLines[index]!, 300),
        lines[index] === undefined ? "end of body" : printable(lines[index]!, 300),
      );
    }
  }
  if (body.lineCount !== undefined && lines.length !== body.lineCount) {
    throw new StepFailure("assertion", `expected ${body.lineCount} body lines, got ${lines.length}`, `${body.lineCount} lines`, summary(lines));
  }
  if (body.octets !== undefined) {
    const resolved = resolve(body.octets);
    const expected = /^\d+$/.test(resolved) ? Number(resolved) : NaN;
    if (Number.isNaN(expected)) {
      throw new StepFailure("assertion", `'octets' is '${resolved}', not a number of octets`, "a number of octets", resolved);
    }
    // RFC 1939 §5 / §11: a size counts the message as sent, CRLF line ends, without byte-stuffing or terminator.
    const actual = lines.reduce((sum, l) => sum + l.length + 2, 0);
    if (actual !== expected) {
      throw new StepFailure("assertion", `body is ${actual} octets, expected ${expected}`, `${expected} octets`, `${actual} octets in ${lines.length} lines`);
    }
  }
  const texts = lines.map((l) => l.toString("utf8"));
  for (const pattern of body.matches) {
    const regex = new RegExp(resolveRegex(pattern));
    if (!texts.some((t) => regex.test(t))) {
      throw new StepFailure("assertion", `no body line matches /${regex.source}/`, `a line matching /${regex.source}/`, summary(lines));
    }
  }
  for (const pattern of body.notMatches ?? []) {
    const regex = new RegExp(resolveRegex(pattern));
    const at = texts.findIndex((t) => regex.test(t));
    if (at !== -1) {
      throw new StepFailure("assertion", `body line ${at + 1} matches /${regex.source}/, which no line may`, `no line matching /${regex.source}/`, printable(lines[at]!, 300));
    }
  }
  if (body.lines) {
    // Entries are templates (`includes: ["${n}"]`), resolved like every other field.
    const problem = checkLineSet(texts, { includes: body.lines.includes.map(resolve), excludes: body.lines.excludes.map(resolve) });
    if (problem) throw new StepFailure("assertion", problem.message, problem.expected, summary(lines));
  }
}

// The `body` matchers of a POP3 multiline response: byte-exact equality with
// a fixture or inline text (both in CRLF wire form), line count, line regexes
// and the CAPA-style line set.
// Standards: RFC 1939 §3 (multiline bodies), RFC 2449 §5 (CAPA lines).

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
  const texts = lines.map((l) => l.toString("utf8"));
  for (const pattern of body.matches) {
    const regex = new RegExp(resolveRegex(pattern));
    if (!texts.some((t) => regex.test(t))) {
      throw new StepFailure("assertion", `no body line matches /${regex.source}/`, `a line matching /${regex.source}/`, summary(lines));
    }
  }
  if (body.lines) {
    const problem = checkLineSet(texts, body.lines);
    if (problem) throw new StepFailure("assertion", problem.message, problem.expected, summary(lines));
  }
}

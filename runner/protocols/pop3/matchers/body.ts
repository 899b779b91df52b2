// The `body` matchers of a POP3 multiline response: byte-exact equality with
// a fixture or inline text (both in CRLF wire form), the same after the
// leading trace fields a delivery adds, line count, size in
// octets, line regexes (some line matches / no line matches) and the
// CAPA-style line set.
// Standards: RFC 1939 §3 (multiline bodies), §5 and §11 (message sizes), RFC 2449 §5 (CAPA lines), RFC 5321 §4.4 (trace fields).

import { readFile } from "node:fs/promises";
import type { ContentSource, Pop3Expect, Template } from "../../../model/ast.ts";
import { StepFailure } from "../../../session/step-failure.ts";
import { joinLines, splitTextLines } from "../../../../wire/dot-stuffing.ts";
import { printable } from "../../../../wire/printable.ts";
import { checkLineSet } from "../../common/line-set.ts";
import type { Pop3Body } from "../reader.ts";

type BodyExpect = NonNullable<Pop3Expect["body"]>;

function summary(body: Pop3Body): string {
  const shown = body.head.map((l) => printable(l, 200));
  if (body.lineCount > body.head.length) shown.push(`… ${body.lineCount - body.head.length} more lines`);
  return shown.join("\n");
}

/**
 * Header fields a delivery prepends in front of the message as sent: the
 * trace fields of RFC 5321 §4.4 (Return-Path, Received), those of RFC 7208
 * §9.1 and RFC 8601 §2 (Received-SPF, Authentication-Results), and the
 * delivery agents' Delivered-To / X-Original-To (Postfix, Dovecot LDA).
 */
const TRACE_FIELDS = new Set(["return-path", "received", "delivered-to", "x-original-to", "received-spf", "authentication-results"]);
/** field-name = 1*ftext, ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8). */
const FIELD_NAME = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;

/** How many leading lines are trace fields (with their folded continuation lines, RFC 5322 §2.2.3). */
export function traceLineCount(lines: readonly Buffer[]): number {
  let at = 0;
  while (at < lines.length) {
    const name = FIELD_NAME.exec(lines[at]!.toString("latin1"))?.[1];
    if (name === undefined || !TRACE_FIELDS.has(name.toLowerCase())) break;
    at++;
    while (at < lines.length && (lines[at]![0] === 0x20 || lines[at]![0] === 0x09)) at++;
  }
  return at;
}

/** Byte-exact: `lines` against the content in CRLF wire form; `offset` numbers lines as received. */
async function requireEqual(lines: readonly Buffer[], source: ContentSource, resolve: (template: Template) => string, what: string, offset = 0): Promise<void> {
  const raw = source.kind === "text" ? Buffer.from(resolve(source.text), "utf8") : await readFile(source.path);
  const expectedLines = splitTextLines(raw);
  if (joinLines(expectedLines).equals(joinLines(lines))) return;
  const at = expectedLines.findIndex((line, i) => lines[i] === undefined || !line.equals(lines[i]!));
  const index = at === -1 ? expectedLines.length : at;
  const from = source.kind === "file" ? `fixture ${source.path}` : "the expected text";
  throw new StepFailure(
    "assertion",
    `${what} differs from ${from} at line ${offset + index + 1} (${lines.length} lines compared, ${expectedLines.length} expected)`,
    expectedLines[index] === undefined ? "end of body" : printable(expectedLines[index]!, 300),
    lines[index] === undefined ? "end of body" : printable(lines[index]!, 300),
  );
}

/** `received.lines` is null only when `body` asks for counts alone (see keepsLines in ../expect.ts). */
export async function requireBody(
  received: Pop3Body,
  body: BodyExpect,
  resolve: (template: Template) => string,
  resolveRegex: (template: Template) => string,
): Promise<void> {
  const lines = received.lines ?? [];
  if (body.equals) await requireEqual(lines, body.equals, resolve, "body");
  if (body.equalsAfterTrace) {
    const skipped = traceLineCount(lines);
    await requireEqual(lines.slice(skipped), body.equalsAfterTrace, resolve, `body after ${skipped} trace line${skipped === 1 ? "" : "s"}`, skipped);
  }
  if (body.lineCount !== undefined && received.lineCount !== body.lineCount) {
    throw new StepFailure("assertion", `expected ${body.lineCount} body lines, got ${received.lineCount}`, `${body.lineCount} lines`, summary(received));
  }
  if (body.octets !== undefined) {
    const resolved = resolve(body.octets);
    const expected = /^\d+$/.test(resolved) ? Number(resolved) : NaN;
    if (Number.isNaN(expected)) {
      throw new StepFailure("assertion", `'octets' is '${resolved}', not a number of octets`, "a number of octets", resolved);
    }
    // RFC 1939 §5 / §11: a size counts the message as sent, CRLF line ends, without byte-stuffing or terminator (counted by the reader).
    const actual = received.octets;
    if (actual !== expected) {
      throw new StepFailure("assertion", `body is ${actual} octets, expected ${expected}`, `${expected} octets`, `${actual} octets in ${received.lineCount} lines`);
    }
  }
  const texts = lines.map((l) => l.toString("utf8"));
  for (const pattern of body.matches) {
    const regex = new RegExp(resolveRegex(pattern));
    if (!texts.some((t) => regex.test(t))) {
      throw new StepFailure("assertion", `no body line matches /${regex.source}/`, `a line matching /${regex.source}/`, summary(received));
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
    const problem = checkLineSet(texts, { includes: body.lines.includes.map((e) => resolve(e)), excludes: body.lines.excludes.map((e) => resolve(e)) });
    if (problem) throw new StepFailure("assertion", problem.message, problem.expected, summary(received));
  }
}

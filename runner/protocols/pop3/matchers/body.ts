// The `body` matchers of a POP3 multiline response: byte-exact equality with
// a fixture or inline text (both in CRLF wire form), the same after the
// leading trace fields a delivery adds, line count, size in
// octets, line regexes (some line matches / no line matches) and the
// CAPA-style line set.
// Standards: RFC 1939 §3 (multiline bodies), §5 and §11 (message sizes), RFC 2449 §5 (CAPA lines), RFC 5321 §4.4 (trace fields).

import type { ContentSource, Pop3Expect, Template } from "../../../model/ast.ts";
import { StepFailure } from "../../../session/step-failure.ts";
import { joinLines, splitTextLines } from "../../../../wire/dot-stuffing.ts";
import { printable } from "../../../../wire/printable.ts";
import { contentBytes } from "../../common/content.ts";
import { checkLineSet } from "../../common/line-set.ts";
import { compilePattern, shownPattern } from "../../common/text.ts";
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
 * delivery agents' Delivered-To / X-Original-To (Postfix, Dovecot LDA) and
 * Envelope-to / Delivery-date (Exim).
 */
const TRACE_FIELDS = new Set([
  "return-path", "received", "delivered-to", "x-original-to", "received-spf", "authentication-results",
  // Exim's delivery fields.
  "envelope-to", "delivery-date",
]);
/** field-name = 1*ftext, ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8). */
const FIELD_NAME = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;

/** The fields RFC 5322 §3.6 defines for a message (plus Resent-*): never part of a delivery's block. */
const MESSAGE_FIELDS = new Set([
  "date", "from", "sender", "reply-to", "to", "cc", "bcc", "message-id", "in-reply-to", "references",
  "subject", "comments", "keywords",
]);

/**
 * How many leading lines are trace fields (with their folded continuation lines, RFC 5322 §2.2.3).
 * A delivery agent's own fields between two trace fields belong to the block too (RFC 5322 §3.6:
 * `fields = *(trace *optional-field / …)`; Cyrus's lmtpd puts X-Cyrus-Session-Id and X-Sieve
 * after its Received, before the MTA's): optional fields count only when another trace field follows.
 */
export function traceLineCount(lines: readonly Buffer[]): number {
  let at = 0;
  let end = 0;
  while (at < lines.length) {
    const name = FIELD_NAME.exec(lines[at]!.toString("latin1"))?.[1]?.toLowerCase();
    if (name === undefined || MESSAGE_FIELDS.has(name) || name.startsWith("resent-")) break;
    at++;
    while (at < lines.length && (lines[at]![0] === 0x20 || lines[at]![0] === 0x09)) at++;
    if (TRACE_FIELDS.has(name)) end = at;
  }
  return end;
}

/**
 * The lines line regexes are applied to: each header field unfolded into one
 * line (RFC 5322 §2.2.3: a CRLF followed by WSP is removed), so a pattern for
 * a field matches however a server folds it (Received fields are folded
 * anywhere); body lines after the blank line as they are. `line` is the
 * number of the field's first line.
 */
export function unfoldHeader(texts: readonly string[]): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let inHeader = true;
  texts.forEach((text, i) => {
    if (inHeader && text === "") inHeader = false;
    const continues = inHeader && out.length > 0 && (text.startsWith(" ") || text.startsWith("\t"));
    if (continues) out[out.length - 1]!.text += text;
    else out.push({ text, line: i + 1 });
  });
  return out;
}

/** Byte-exact: `lines` against the content in CRLF wire form; `offset` numbers lines as received. */
async function requireEqual(lines: readonly Buffer[], source: ContentSource, resolve: (template: Template) => string, what: string, offset = 0): Promise<void> {
  const raw = await contentBytes(source, resolve);
  const expectedLines = splitTextLines(raw);
  if (joinLines(expectedLines).equals(joinLines(lines))) return;
  const at = expectedLines.findIndex((line, i) => lines[i] === undefined || !line.equals(lines[i]!));
  const index = at === -1 ? expectedLines.length : at;
  const from = source.kind === "file" ? `${source.interpolated ? "interpolated fixture" : "fixture"} ${source.path}` : "the expected text";
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
  const logical = unfoldHeader(texts);
  for (const pattern of body.matches) {
    const regex = compilePattern(resolveRegex(pattern));
    if (!logical.some((l) => regex.test(l.text))) {
      throw new StepFailure("assertion", `no body line matches ${shownPattern(regex)}`, `a line matching ${shownPattern(regex)}`, summary(received));
    }
  }
  for (const pattern of body.notMatches ?? []) {
    const regex = compilePattern(resolveRegex(pattern));
    const hit = logical.find((l) => regex.test(l.text));
    if (hit !== undefined) {
      throw new StepFailure("assertion", `body line ${hit.line} matches ${shownPattern(regex)}, which no line may`, `no line matching ${shownPattern(regex)}`, printable(Buffer.from(hit.text, "utf8"), 300));
    }
  }
  if (body.lines) {
    // Entries are templates (`includes: ["${n}"]`), resolved like every other field.
    const problem = checkLineSet(texts, { includes: body.lines.includes.map((e) => resolve(e)), excludes: body.lines.excludes.map((e) => resolve(e)) });
    if (problem) throw new StepFailure("assertion", problem.message, problem.expected, summary(received));
  }
}

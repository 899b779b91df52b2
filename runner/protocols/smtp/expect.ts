// An SMTP `expect`: reads one reply and applies the matchers in order —
// code, enhanced status code, reply-line length, line set (EHLO keywords),
// text regex — then binds captures. The first mismatch fails the step with expected vs actual.
// LMTP's `replies` reads one reply per listed expectation, in order, each matched the same way
// (after DATA's "." and after BDAT LAST alike).
// Standards: RFC 5321 §4.2 (replies), §4.5.3.1.5 (reply line 512 octets), §4.1.1.1 (EHLO keywords), RFC 3463 (enhanced codes),
// RFC 2033 §4.2 (after DATA, one reply per successful RCPT, in RCPT order), §4.3 (the same after BDAT LAST).

import type { SmtpExpect } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { checkLineSet } from "../common/line-set.ts";
import { firstMatching } from "../common/one-of.ts";
import { applyCaptures, requireText } from "../common/text.ts";
import { anyCodeMatches, describeCodes } from "./matchers/code.ts";
import { enhancedCodeOf, enhancedMatches } from "./matchers/enhanced.ts";
import { formatSmtpReply, readCheckedReply, readSmtpReply, type SmtpReply } from "./reader.ts";

/** Fail unless the reply code matches one of `codes`. */
export function requireCode(reply: SmtpReply, codes: string[], what?: string): void {
  if (anyCodeMatches(reply.code, codes)) return;
  const text = reply.lines[0] ?? "";
  throw new StepFailure(
    "assertion",
    `${what ? `${what}: ` : ""}expected ${describeCodes(codes)}, got ${reply.code}${text ? ` '${text}'` : ""}`,
    describeCodes(codes),
    formatSmtpReply(reply),
  );
}

export function expectSmtp(ctx: StepContext, expect: SmtpExpect): Promise<void> {
  if (expect.replies) return expectReplies(ctx, expect.replies);
  // The check runs as the reply is taken: one promise per expectation, no async frame or .then (bench/runner-step.ts).
  return readCheckedReply(ctx.conn, ctx.deadline, (reply) => checkSmtpReply(ctx, expect, reply));
}

/** A one-of step: one reply, the first alternative it matches (the loader admits no `replies` among them). */
export async function expectSmtpOneOf(ctx: StepContext, expects: SmtpExpect[], labels: string[]): Promise<number> {
  const reply = await readSmtpReply(ctx.conn, ctx.deadline);
  return firstMatching(labels, (i) => checkSmtpReply(ctx, expects[i]!, reply), () => formatSmtpReply(reply));
}

/** LMTP after DATA: reply i answers the i-th accepted RCPT (RFC 2033 §4.2); a failure names which. */
async function expectReplies(ctx: StepContext, replies: SmtpExpect[]): Promise<void> {
  for (const [i, expect] of replies.entries()) {
    const which = `reply ${i + 1} of ${replies.length} (recipient ${i + 1} accepted at RCPT)`;
    let reply: SmtpReply;
    try {
      reply = await readSmtpReply(ctx.conn, ctx.deadline, which);
    } catch (error) {
      throw renamed(error, which);
    }
    try {
      checkSmtpReply(ctx, expect, reply);
    } catch (error) {
      throw renamed(error, which);
    }
  }
}

function renamed(error: unknown, which: string): unknown {
  if (!(error instanceof StepFailure)) return error;
  const { class: failureClass, message, expected, actual } = error.failure;
  return new StepFailure(failureClass, `${which}: ${message}`, expected, actual);
}

function checkSmtpReply(ctx: StepContext, expect: SmtpExpect, reply: SmtpReply): void {
  requireCode(reply, expect.code);
  if (expect.enhanced !== undefined) {
    // A pattern like 5.x.x: the loader admits no ${} references here.
    const pattern = expect.enhanced;
    const actual = enhancedCodeOf(reply.lines[0] ?? "");
    if (actual === undefined || !enhancedMatches(actual, pattern)) {
      throw new StepFailure(
        "assertion",
        actual === undefined ? `expected enhanced status code ${pattern}, the reply has none` : `expected enhanced status code ${pattern}, got ${actual}`,
        `${reply.code} ${pattern}`,
        formatSmtpReply(reply),
      );
    }
  }
  if (expect.maxLineOctets !== undefined && reply.longestLineOctets > expect.maxLineOctets) {
    // RFC 5321 §4.5.3.1.5 sets 512 octets; §4.5.3.1: "Objects larger than these sizes SHOULD be avoided".
    throw new StepFailure(
      "assertion",
      `a reply line of ${reply.longestLineOctets} octets (code and CRLF included) exceeds ${expect.maxLineOctets} (RFC 5321 §4.5.3.1.5)`,
      `every reply line at most ${expect.maxLineOctets} octets`,
      formatSmtpReply(reply),
    );
  }
  if (expect.lines) {
    // EHLO: the first line is the greeting (domain), keywords follow (RFC 5321 §4.1.1.1).
    // Entries are templates (`includes: ["AUTH ${mech}"]`), resolved like every other field.
    const problem = checkLineSet(reply.lines.slice(1), { includes: expect.lines.includes.map((e) => ctx.resolve(e)), excludes: expect.lines.excludes.map((e) => ctx.resolve(e)) });
    if (problem) throw new StepFailure("assertion", problem.message, problem.expected, formatSmtpReply(reply));
  }
  if (expect.text === undefined && expect.captures.length === 0) return;
  const text = reply.lines.join("\n");
  if (expect.text !== undefined) requireText(text, ctx.resolveRegex(expect.text), formatSmtpReply(reply));
  applyCaptures(expect.captures, [text], ctx.vars, (t) => ctx.resolveRegex(t));
}

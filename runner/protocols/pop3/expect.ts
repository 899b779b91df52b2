// A POP3 `expect`: one status line (+OK / -ERR, response code, text regex),
// then — when asked and the status is +OK — the multiline body and its
// matchers; captures see the status text first, then each body line. The
// body's lines are kept only when a matcher or capture reads them.
// Standards: RFC 1939 §3 (an -ERR response is never multiline), RFC 2449 §8.

import type { Pop3Expect } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { firstMatching } from "../common/one-of.ts";
import { applyCaptures, requireText } from "../common/text.ts";
import { requireBody } from "./matchers/body.ts";
import { requireResponseCode, requireStatus } from "./matchers/status.ts";
import { readBody, type Pop3Body, type Pop3Status } from "./reader.ts";

const NO_BODY: Pop3Body = { lines: [], lineCount: 0, octets: 0, head: [] };

/** Whether a matcher reads the body's lines; size and line count alone are counted as the body streams. */
function keepsLines(expect: Pop3Expect): boolean {
  const body = expect.body;
  if (expect.captures.length > 0) return true;
  if (!body) return false;
  return body.equals !== undefined || body.equalsAfterTrace !== undefined || body.matches.length > 0 || (body.notMatches?.length ?? 0) > 0 || body.lines !== undefined;
}

/** `readStatus`: the session's status-line reader (it keeps the greeting for APOP). */
export async function expectPop3(ctx: StepContext, expect: Pop3Expect, readStatus: () => Promise<Pop3Status>): Promise<void> {
  const status = await readStatus();
  const body = expect.multiline && status.status === "+OK" ? await readBody(ctx.conn, ctx.deadline, keepsLines(expect)) : NO_BODY;
  await checkPop3(ctx, expect, status, body);
}

/**
 * A one-of step: one status line and, when +OK and the +OK alternatives are
 * multiline (the loader makes them agree), its body; the first alternative it matches.
 */
export async function expectPop3OneOf(ctx: StepContext, expects: Pop3Expect[], labels: string[], readStatus: () => Promise<Pop3Status>): Promise<number> {
  const status = await readStatus();
  const framing = expects.filter((e) => e.status === "+OK");
  const body = status.status === "+OK" && framing.some((e) => e.multiline) ? await readBody(ctx.conn, ctx.deadline, framing.some(keepsLines)) : NO_BODY;
  return firstMatching(labels, (i) => checkPop3(ctx, expects[i]!, status, body), () => status.line);
}

async function checkPop3(ctx: StepContext, expect: Pop3Expect, status: Pop3Status, body: Pop3Body): Promise<void> {
  requireStatus(status, expect.status);
  if (expect.code !== undefined) requireResponseCode(status, expect.code);
  if (expect.text !== undefined) requireText(status.text, ctx.resolveRegex(expect.text), status.line);
  if (expect.body) await requireBody(body, expect.body, (t) => ctx.resolve(t), (t) => ctx.resolveRegex(t));
  applyCaptures(expect.captures, [status.text, ...(body.lines ?? []).map((l) => l.toString("utf8"))], ctx.vars, (t) => ctx.resolveRegex(t));
}

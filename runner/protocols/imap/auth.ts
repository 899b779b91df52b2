// The IMAP framing of an `auth` step: tagged AUTHENTICATE <mechanism>
// [initial-response], "+" continuations answered by the SASL client, "*" to
// cancel, then the tagged status checked against the step's outcome.
// Standards: RFC 3501 §6.2.2 (AUTHENTICATE, "*" cancel → BAD), RFC 4959 (SASL-IR).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../driver.ts";
import { StepFailure } from "../../exec/step-failure.ts";
import { REDACTED } from "../../exec/transcript.ts";
import { printable } from "../../wire/printable.ts";
import { decodeChallenge, saslClient } from "../common/sasl.ts";
import { imapState, nextTag, readUntil } from "./session-state.ts";

const OUTCOME_STATUS: Record<AuthStep["outcome"], string> = { success: "OK", failure: "NO", cancel: "BAD" };
/** More challenges than any supported mechanism needs: the server is looping. */
const MAX_CHALLENGES = 4;

function sendLine(ctx: StepContext, line: string, shown: string): void {
  ctx.conn.write(Buffer.from(`${line}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
}

export async function authImap(ctx: StepContext, step: AuthStep): Promise<void> {
  const state = imapState(ctx.conn);
  const login = ctx.resolve(step.login ?? "${user.login}");
  const password = ctx.resolve(step.password ?? "${user.password}");
  const sasl = saslClient(step.mechanism, login, password);
  const initial = step.initialResponse && step.outcome !== "cancel" ? sasl.initial() : null;
  const tag = nextTag(ctx.conn);
  const command = `${tag} AUTHENTICATE ${step.mechanism}`;
  const pending = { tag, command, continued: false } as (typeof state.pending)[number];
  state.pending.push(pending);
  if (initial === null) sendLine(ctx, command, command);
  else sendLine(ctx, `${command} ${initial === "" ? "=" : initial}`, `${command} ${REDACTED}`);
  for (let round = 0; ; round++) {
    await readUntil(ctx.conn, ctx.deadline, `the completion of ${tag}`, () => state.continuations.length > 0 || pending.completion !== undefined);
    const continuation = state.continuations.shift();
    if (!continuation) break;
    if (round >= MAX_CHALLENGES) {
      throw new StepFailure("protocol-violation", `more than ${MAX_CHALLENGES} AUTHENTICATE challenges`, "a tagged completion", printable(continuation.bytes, 200));
    }
    if (step.outcome === "cancel") {
      sendLine(ctx, "*", "*");
      continue;
    }
    const challenge = decodeChallenge(continuation.text);
    if (challenge === null) {
      throw new StepFailure("protocol-violation", "AUTHENTICATE challenge is not base64 (RFC 3501 §7.5)", "+ <base64>", printable(continuation.bytes, 200));
    }
    sendLine(ctx, sasl.respond(challenge), REDACTED);
  }
  state.pending.splice(state.pending.indexOf(pending), 1);
  const completion = pending.completion!;
  const want = OUTCOME_STATUS[step.outcome];
  if (completion.status !== want) {
    throw new StepFailure("assertion", `AUTHENTICATE ${step.mechanism} (${step.outcome}): expected ${want}, got ${completion.status} ${completion.text}`.trimEnd(), want, printable(completion.bytes, 300));
  }
}

// The SMTP framing of an `auth` step: AUTH <mechanism> [initial-response],
// 334 challenges answered by the SASL client, "*" to cancel, then the final
// reply checked against the step's outcome. Payloads show as *** in the transcript.
// Standards: RFC 4954 §4 (AUTH command, 334, "*" cancel → 501), §6 (235, 535).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../driver.ts";
import { StepFailure } from "../../exec/step-failure.ts";
import { REDACTED } from "../../exec/transcript.ts";
import { decodeChallenge, saslClient } from "../common/sasl.ts";
import { formatSmtpReply, readSmtpReply } from "./reader.ts";
import { requireCode } from "./expect.ts";

const OUTCOME_CODES: Record<AuthStep["outcome"], string> = { success: "235", failure: "535", cancel: "501" };
/** More challenges than any of PLAIN, LOGIN, CRAM-MD5 needs: the server is looping. */
const MAX_CHALLENGES = 4;

function sendLine(ctx: StepContext, line: string, shown: string): void {
  ctx.conn.write(Buffer.from(`${line}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
}

export async function authSmtp(ctx: StepContext, step: AuthStep): Promise<void> {
  const login = ctx.resolve(step.login ?? "${user.login}");
  const password = ctx.resolve(step.password ?? "${user.password}");
  const sasl = saslClient(step.mechanism, login, password);
  const initial = step.initialResponse && step.outcome !== "cancel" ? sasl.initial() : null;
  const command = `AUTH ${step.mechanism}`;
  if (initial === null) sendLine(ctx, command, command);
  else sendLine(ctx, `${command} ${initial === "" ? "=" : initial}`, `${command} ${REDACTED}`);
  for (let round = 0; ; round++) {
    const reply = await readSmtpReply(ctx.conn, ctx.deadline);
    if (reply.code !== "334") {
      requireCode(reply, [OUTCOME_CODES[step.outcome]], `AUTH ${step.mechanism} (${step.outcome})`);
      return;
    }
    if (round >= MAX_CHALLENGES) {
      throw new StepFailure("protocol-violation", `more than ${MAX_CHALLENGES} AUTH challenges`, "a final reply", formatSmtpReply(reply));
    }
    if (step.outcome === "cancel") {
      sendLine(ctx, "*", "*");
      continue;
    }
    const challenge = decodeChallenge(reply.lines[0] ?? "");
    if (challenge === null) {
      throw new StepFailure("protocol-violation", "334 challenge is not base64 (RFC 4954 §4)", "334 <base64>", formatSmtpReply(reply));
    }
    sendLine(ctx, sasl.respond(challenge), REDACTED);
  }
}

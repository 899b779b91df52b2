// The SMTP framing of an `auth` step: 334 replies carry the challenges, the
// final reply must be 235 (success), 535 (failure) or 501 (cancelled).
// Standards: RFC 4954 §4 (AUTH command, 334, "*" cancel → 501), §6 (235, 535).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { runSaslExchange } from "../common/sasl-exchange.ts";
import { formatSmtpReply, readSmtpReply, type SmtpReply } from "./reader.ts";
import { requireCode } from "./expect.ts";

const OUTCOME_CODES: Record<AuthStep["outcome"], string> = { success: "235", failure: "535", cancel: "501" };

export function authSmtp(ctx: StepContext, step: AuthStep): Promise<void> {
  return runSaslExchange<SmtpReply>(ctx, step, {
    command: `AUTH ${step.mechanism}`,
    readTurn: async () => {
      const reply = await readSmtpReply(ctx.conn, ctx.deadline);
      return reply.code === "334" ? { challenge: reply.lines[0] ?? "", shown: formatSmtpReply(reply) } : { final: reply };
    },
    checkFinal: (reply) => requireCode(reply, [OUTCOME_CODES[step.outcome]], `AUTH ${step.mechanism} (${step.outcome})`),
    challengeForm: "334 <base64>",
    rfc: "RFC 4954 §4",
  });
}

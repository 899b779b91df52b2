// The POP3 framing of an `auth` step: "+ " continuation lines carry the
// challenges, the final status must be +OK (success) or -ERR (failure, cancel).
// `auth: APOP` is not SASL and goes to ./apop.ts.
// Standards: RFC 5034 §4 (AUTH, initial response, "*" cancel → -ERR), RFC 1939 §7 (APOP).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { printable } from "../../../wire/printable.ts";
import { runSaslExchange } from "../common/sasl-exchange.ts";
import { apopPop3 } from "./apop.ts";
import { requireStatus } from "./matchers/status.ts";
import { parseStatusLine } from "./reader.ts";

/** `greeting`: the connection's greeting text, for APOP's timestamp. */
export function authPop3(ctx: StepContext, step: AuthStep, greeting: string | undefined): Promise<void> {
  if (step.mechanism === "APOP") return apopPop3(ctx, step, greeting);
  return runSaslExchange<Buffer>(ctx, step, {
    command: `AUTH ${step.mechanism}`,
    readTurn: async () => {
      const line = await ctx.conn.readLine(ctx.deadline, "an AUTH continuation or status");
      // continue-req = "+" SP [base64] CRLF (RFC 5034 §4)
      const isContinuation = line[0] === 0x2b && (line.length === 1 || line[1] === 0x20);
      return isContinuation ? { challenge: line.subarray(2).toString("latin1"), shown: printable(line, 200) } : { final: line };
    },
    checkFinal: (line) =>
      requireStatus(parseStatusLine(line), step.outcome === "success" ? "+OK" : "-ERR", `AUTH ${step.mechanism} (${step.outcome})`),
    challengeForm: "+ <base64>",
    rfc: "RFC 5034 §4",
  });
}

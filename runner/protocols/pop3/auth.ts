// The POP3 framing of an `auth` step: AUTH <mechanism> [initial-response],
// "+ " continuations answered by the SASL client, "*" to cancel, then
// +OK / -ERR checked against the step's outcome. Payloads show as ***.
// Standards: RFC 5034 §4 (AUTH, initial response, "*" cancel → -ERR).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../driver.ts";
import { StepFailure } from "../../exec/step-failure.ts";
import { REDACTED } from "../../exec/transcript.ts";
import { printable } from "../../wire/printable.ts";
import { decodeChallenge, saslClient } from "../common/sasl.ts";
import { requireStatus } from "./matchers/status.ts";
import { parseStatusLine } from "./reader.ts";

/** More challenges than any supported mechanism needs: the server is looping. */
const MAX_CHALLENGES = 4;

function sendLine(ctx: StepContext, line: string, shown: string): void {
  ctx.conn.write(Buffer.from(`${line}\r\n`), [shown]);
  ctx.conn.lastCommand = shown;
}

export async function authPop3(ctx: StepContext, step: AuthStep): Promise<void> {
  const login = ctx.resolve(step.login ?? "${user.login}");
  const password = ctx.resolve(step.password ?? "${user.password}");
  const sasl = saslClient(step.mechanism, login, password);
  const initial = step.initialResponse && step.outcome !== "cancel" ? sasl.initial() : null;
  const command = `AUTH ${step.mechanism}`;
  if (initial === null) sendLine(ctx, command, command);
  else sendLine(ctx, `${command} ${initial === "" ? "=" : initial}`, `${command} ${REDACTED}`);
  for (let round = 0; ; round++) {
    const line = await ctx.conn.readLine(ctx.deadline, "an AUTH continuation or status");
    // continue-req = "+" SP [base64] CRLF (RFC 5034 §4)
    if (line[0] === 0x2b && (line.length === 1 || line[1] === 0x20)) {
      if (round >= MAX_CHALLENGES) {
        throw new StepFailure("protocol-violation", `more than ${MAX_CHALLENGES} AUTH challenges`, "+OK or -ERR", printable(line, 200));
      }
      if (step.outcome === "cancel") {
        sendLine(ctx, "*", "*");
        continue;
      }
      const challenge = decodeChallenge(line.subarray(2).toString("latin1"));
      if (challenge === null) {
        throw new StepFailure("protocol-violation", "AUTH challenge is not base64 (RFC 5034 §4)", "+ <base64>", printable(line, 200));
      }
      sendLine(ctx, sasl.respond(challenge), REDACTED);
      continue;
    }
    const status = parseStatusLine(line);
    requireStatus(status, step.outcome === "success" ? "+OK" : "-ERR", `AUTH ${step.mechanism} (${step.outcome})`);
    return;
  }
}

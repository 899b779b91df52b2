// The IMAP framing of an `auth` step: a tagged AUTHENTICATE whose "+"
// continuations carry the challenges; the tagged completion must be OK
// (success), NO (failure) or BAD (cancelled).
// Standards: RFC 3501 §6.2.2 (AUTHENTICATE, "*" cancel → BAD), RFC 4959 (SASL-IR).

import type { AuthStep } from "../../model/ast.ts";
import type { StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { printable } from "../../../wire/printable.ts";
import { runSaslExchange } from "../common/sasl-exchange.ts";
import type { ImapState, PendingCommand } from "./session-state.ts";

const OUTCOME_STATUS: Record<AuthStep["outcome"], string> = { success: "OK", failure: "NO", cancel: "BAD" };

export async function authImap(state: ImapState, ctx: StepContext, step: AuthStep): Promise<void> {
  const tag = state.nextTag();
  const command = `${tag} AUTHENTICATE ${step.mechanism}`;
  const pending: PendingCommand = { tag, command, continued: false };
  state.pending.push(pending);
  type Completion = NonNullable<PendingCommand["completion"]>;
  try {
    await runSaslExchange<Completion>(ctx, step, {
      command,
      readTurn: async () => {
        await state.readUntil(ctx.deadline, `the completion of ${tag}`, () => state.continuations.length > 0 || pending.completion !== undefined);
        const continuation = state.continuations.shift();
        return continuation ? { challenge: continuation.text, shown: printable(continuation.bytes, 200) } : { final: pending.completion! };
      },
      checkFinal: (completion) => {
        const want = OUTCOME_STATUS[step.outcome];
        if (completion.status !== want) {
          throw new StepFailure(
            "assertion",
            `AUTHENTICATE ${step.mechanism} (${step.outcome}): expected ${want}, got ${completion.status} ${completion.text}`.trimEnd(),
            want,
            printable(completion.bytes, 300),
          );
        }
      },
      challengeForm: "+ <base64>",
      rfc: "RFC 3501 §7.5",
    });
  } finally {
    // Completed or failed, the command no longer waits for a completion.
    const at = state.pending.indexOf(pending);
    if (at !== -1) state.pending.splice(at, 1);
  }
}

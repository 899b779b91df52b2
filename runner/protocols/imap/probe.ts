// What an IMAP server advertises: CAPABILITY atoms before login (after
// STARTTLS on such an endpoint) and again after LOGIN with the main user,
// since Dovecot and others add UIDPLUS, MOVE… only once authenticated.
// Standards: RFC 3501 §6.1.1 (CAPABILITY), §6.2.3 (LOGIN, LOGINDISABLED), §7.2.1; RFC 9051 §6.1.1.

import type { ProbeOptions, StepContext } from "../common/driver.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { ImapToken } from "../../../wire/imap-tokens.ts";
import type { ImapState } from "./session-state.ts";

function collect(tokens: ImapToken[] | undefined, into: Set<string>): void {
  if (!tokens || tokens[0]?.type !== "atom" || tokens[0].value.toUpperCase() !== "CAPABILITY") return;
  for (const token of tokens.slice(1)) if (token.type === "atom") into.add(token.value.toUpperCase());
}

async function capability(state: ImapState, ctx: StepContext, into: Set<string>): Promise<void> {
  const completion = await state.simpleCommand(ctx.deadline, "CAPABILITY");
  for (const response of state.takeUntagged()) collect(response.tokens, into);
  collect(completion.code, into);
}

/** quoted = DQUOTE *QUOTED-CHAR DQUOTE, with \ and " escaped */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export async function probeImap(state: ImapState, ctx: StepContext, { starttls, user }: ProbeOptions): Promise<Set<string>> {
  const advertised = new Set<string>();
  if (starttls) {
    const completion = await state.simpleCommand(ctx.deadline, "STARTTLS");
    if (completion.status !== "OK") throw new StepFailure("assertion", `STARTTLS: expected OK, got ${completion.status}`, "OK", completion.text);
    await ctx.conn.startTls(ctx.deadline);
    state.resetAfterTls();
  }
  await capability(state, ctx, advertised);
  if (user && !advertised.has("LOGINDISABLED")) {
    const login = await state.simpleCommand(ctx.deadline, `LOGIN ${quoted(user.login)} ${quoted(user.password)}`);
    state.takeUntagged();
    if (login.status === "OK") await capability(state, ctx, advertised);
  }
  state.sendCommand(`${state.nextTag()} LOGOUT`);
  return advertised;
}

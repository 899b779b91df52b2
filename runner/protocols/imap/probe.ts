// What an IMAP server advertises: CAPABILITY atoms before TLS, after
// STARTTLS and after LOGIN with the main user — Dovecot and others add
// UIDPLUS, MOVE… only once authenticated and drop STARTTLS, AUTH= and
// LOGINDISABLED — and, once logged in, where the user's own mailboxes live:
// the personal namespace's prefix and delimiter (NAMESPACE, else `LIST "" ""`).
// Standards: RFC 3501 §6.1.1 (CAPABILITY), §6.2.1 (STARTTLS), §6.2.3 (LOGIN, LOGINDISABLED), §6.3.8 (LIST "" ""), §7.2.1; RFC 2342 §5 (NAMESPACE); RFC 9051 §6.1.1.

import type { ProbeFindings, ProbeOptions, StepContext } from "../common/driver.ts";
import type { ImapNamespace } from "../../model/target.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { ImapToken } from "../../../wire/imap-tokens.ts";
import type { ImapState } from "./session-state.ts";

function collect(tokens: ImapToken[] | undefined, into: Set<string>): void {
  if (!tokens || tokens[0]?.type !== "atom" || tokens[0].value.toUpperCase() !== "CAPABILITY") return;
  for (const token of tokens.slice(1)) if (token.type === "atom") into.add(token.value.toUpperCase());
}

async function capability(state: ImapState, ctx: StepContext): Promise<Set<string>> {
  const advertised = new Set<string>();
  const completion = await state.simpleCommand(ctx.deadline, "CAPABILITY");
  for (const response of state.takeUntagged()) collect(response.tokens, advertised);
  collect(completion.code, advertised);
  return advertised;
}

/** quoted = DQUOTE *QUOTED-CHAR DQUOTE, with \ and " escaped */
function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A delimiter as the grammar writes it: QUOTED-CHAR, or NIL for a flat namespace (""). */
function delimiterOf(token: ImapToken | undefined): string | undefined {
  if (token?.type === "nil") return "";
  return token?.type === "string" ? token.value.toString("utf8") : undefined;
}

/**
 * The first personal namespace of `* NAMESPACE (("" "/")) NIL NIL`:
 * Namespace = nil / "(" 1*( "(" string SP (<"> QUOTED_CHAR <"> / nil) *(Namespace_Response_Extension) ")" ) ")"
 * (RFC 2342 §5); the first is the one a client creates its mailboxes in.
 */
export function personalNamespace(tokens: ImapToken[] | undefined): ImapNamespace | undefined {
  if (!tokens || tokens[0]?.type !== "atom" || tokens[0].value.toUpperCase() !== "NAMESPACE") return undefined;
  const personal = tokens[1];
  const first = personal?.type === "list" ? personal.items[0] : undefined;
  if (first?.type !== "list" || first.items[0]?.type !== "string") return undefined;
  const delimiter = delimiterOf(first.items[1]);
  return delimiter === undefined ? undefined : { prefix: first.items[0].value.toString("utf8"), delimiter };
}

/** `* LIST (\Noselect) "/" ""`: mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox (RFC 3501 §9). */
function rootDelimiter(tokens: ImapToken[] | undefined): string | undefined {
  if (!tokens || tokens[0]?.type !== "atom" || tokens[0].value.toUpperCase() !== "LIST") return undefined;
  return delimiterOf(tokens[2]);
}

async function readNamespace(state: ImapState, ctx: StepContext, advertised: ReadonlySet<string>): Promise<ImapNamespace | undefined> {
  if (advertised.has("NAMESPACE")) {
    const completion = await state.simpleCommand(ctx.deadline, "NAMESPACE");
    const found = state.takeUntagged().map((r) => personalNamespace(r.tokens)).find((n) => n !== undefined);
    if (completion.status === "OK" && found) return found;
  }
  // Without NAMESPACE the personal mailboxes are at the top level, under the root LIST "" "" names (RFC 3501 §6.3.8).
  const completion = await state.simpleCommand(ctx.deadline, 'LIST "" ""');
  const delimiter = state.takeUntagged().map((r) => rootDelimiter(r.tokens)).find((d) => d !== undefined);
  return completion.status === "OK" && delimiter !== undefined ? { prefix: "", delimiter } : undefined;
}

export async function probeImap(state: ImapState, ctx: StepContext, { upgrade, user }: ProbeOptions, found: ProbeFindings): Promise<void> {
  let current = (found.states["before-tls"] = await capability(state, ctx));
  if (upgrade === "endpoint" || (upgrade === "offered" && current.has("STARTTLS"))) {
    const completion = await state.simpleCommand(ctx.deadline, "STARTTLS");
    if (completion.status !== "OK") throw new StepFailure("assertion", `STARTTLS: expected OK, got ${completion.status}`, "OK", completion.text);
    await ctx.conn.startTls(ctx.deadline);
    state.resetAfterTls();
    current = found.states["after-starttls"] = await capability(state, ctx);
  }
  if (user && !current.has("LOGINDISABLED")) {
    const login = await state.simpleCommand(ctx.deadline, `LOGIN ${quoted(user.login)} ${quoted(user.password)}`);
    state.takeUntagged();
    if (login.status === "OK") {
      const advertised = (found.states["after-login"] = await capability(state, ctx));
      const namespace = await readNamespace(state, ctx, advertised);
      if (namespace) found.namespace = namespace;
    }
  }
  state.sendCommand(`${state.nextTag()} LOGOUT`);
}

// What an IMAP server advertises: CAPABILITY atoms before TLS, after
// STARTTLS and after LOGIN with the main user — Dovecot and others add
// UIDPLUS, MOVE… only once authenticated and drop STARTTLS, AUTH= and
// LOGINDISABLED — and, once logged in, where the user's own mailboxes live:
// the personal namespace's prefix and delimiter (NAMESPACE, else `LIST "" ""`),
// whether a new mailbox can have inferiors (a scratch CREATE, LIST, DELETE) and
// whether new keywords can be created (SELECT INBOX's PERMANENTFLAGS).
// Standards: RFC 3501 §6.1.1 (CAPABILITY), §6.2.1 (STARTTLS), §6.2.3 (LOGIN, LOGINDISABLED), §6.3.1 / §7.1 (SELECT, PERMANENTFLAGS), §6.3.8 (LIST "" ""), §7.2.1; RFC 2342 §5 (NAMESPACE); RFC 9051 §6.1.1.

import type { ProbeFindings, ProbeOptions, StepContext } from "../common/driver.ts";
import type { ImapNamespace } from "../../model/target.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { ImapToken } from "../../../wire/imap-tokens.ts";
import type { ImapState } from "./session-state.ts";

/** IMAP pseudo-capability, after login: SELECT INBOX lists `\*` in PERMANENTFLAGS (tests that set keywords require it). */
export const KEYWORDS = "KEYWORDS";

/**
 * IMAP pseudo-capability, after login: a mailbox made by a plain CREATE can have
 * inferiors — LIST shows it without \Noinferiors, which a server sets where "no
 * child levels exist now and none can be created in the future" (RFC 3501 §7.2.2;
 * mbox stores such as Mailutils'). Tests that put a child under such a mailbox need it.
 */
export const INFERIORS = "INFERIORS";

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

/** The upper-cased name attributes of `* LIST (\Noinferiors) "/" name`, else undefined. */
function listAttributes(tokens: ImapToken[] | undefined): string[] | undefined {
  if (!tokens || tokens[0]?.type !== "atom" || tokens[0].value.toUpperCase() !== "LIST" || tokens[1]?.type !== "list") return undefined;
  return tokens[1].items.flatMap((item) => (item.type === "atom" ? [item.value.toUpperCase()] : []));
}

/** CREATEs a scratch mailbox in the personal namespace, reads its LIST attributes and DELETEs it again. */
async function createdMailboxTakesInferiors(state: ImapState, ctx: StepContext, prefix: string): Promise<boolean> {
  const name = quoted(`${prefix}mc-probe-${process.pid}-${Date.now().toString(36)}`);
  const created = await state.simpleCommand(ctx.deadline, `CREATE ${name}`);
  state.takeUntagged();
  if (created.status !== "OK") return false;
  const listed = await state.simpleCommand(ctx.deadline, `LIST "" ${name}`);
  const attributes = state.takeUntagged().map((r) => listAttributes(r.tokens)).find((a) => a !== undefined);
  await state.simpleCommand(ctx.deadline, `DELETE ${name}`);
  state.takeUntagged();
  return listed.status === "OK" && attributes !== undefined && !attributes.includes("\\NOINFERIORS");
}

/** `* OK [PERMANENTFLAGS (\Seen \*)]`: `\*` says new keywords can be created in the mailbox (RFC 3501 §7.1). */
function allowsNewKeywords(code: ImapToken[] | undefined): boolean {
  if (code?.[0]?.type !== "atom" || code[0].value.toUpperCase() !== "PERMANENTFLAGS" || code[1]?.type !== "list") return false;
  return code[1].items.some((item) => item.type === "atom" && item.value === "\\*");
}

/**
 * Whether SELECT INBOX offers new keywords: a server may keep only the system
 * flags (PERMANENTFLAGS without `\*`, RFC 3501 §7.1), so keyword tests need
 * the pseudo-capability KEYWORDS. SELECT, not EXAMINE: a read-only mailbox
 * lists no permanent flags. LOGOUT follows, so nothing is expunged.
 */
async function offersKeywords(state: ImapState, ctx: StepContext): Promise<boolean> {
  const completion = await state.simpleCommand(ctx.deadline, "SELECT INBOX");
  const offered = state.takeUntagged().some((r) => allowsNewKeywords(r.code));
  return completion.status === "OK" && offered;
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
      if (namespace?.delimiter && (await createdMailboxTakesInferiors(state, ctx, namespace.prefix))) advertised.add(INFERIORS);
      if (await offersKeywords(state, ctx)) advertised.add(KEYWORDS);
    }
  }
  state.sendCommand(`${state.nextTag()} LOGOUT`);
}

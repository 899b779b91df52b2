// What an IMAP server advertises: CAPABILITY atoms before TLS, after
// STARTTLS and after LOGIN with the main user — Dovecot and others add
// UIDPLUS, MOVE… only once authenticated and drop STARTTLS, AUTH= and
// LOGINDISABLED — and, once logged in, where the user's own mailboxes live:
// the personal namespace's prefix and delimiter (NAMESPACE, else `LIST "" ""`),
// and, on a scratch mailbox of its own (CREATE, LIST, SELECT, CLOSE, DELETE),
// whether a new mailbox can have inferiors and whether new keywords can be
// created (its PERMANENTFLAGS). The user's own mailboxes are never selected:
// a SELECT of INBOX would take \Recent from the tests after the probe.
// Standards: RFC 3501 §6.1.1 (CAPABILITY), §6.2.1 (STARTTLS), §6.2.3 (LOGIN, LOGINDISABLED), §6.3.1 / §7.1 (SELECT, PERMANENTFLAGS), §6.3.8 (LIST "" ""), §6.4.2 (CLOSE), §2.3.2 (\Recent), §7.2.1; RFC 2342 §5 (NAMESPACE); RFC 9051 §6.1.1.

import type { ProbeFindings, ProbeOptions, StepContext } from "../common/driver.ts";
import type { ImapNamespace } from "../../model/target.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { ImapToken } from "../../../wire/imap-tokens.ts";
import type { ImapState } from "./session-state.ts";

/** IMAP pseudo-capability, after login: SELECT of a new mailbox lists `\*` in PERMANENTFLAGS (tests that set keywords require it). */
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

/**
 * The probe's scratch mailbox in the personal namespace. With the run's token it
 * is named like a test's own mailbox (`mc-<token>-…`), so the after-run sweep
 * removes it if the probe is cut off between CREATE and DELETE.
 */
export function scratchMailboxName(prefix: string, runToken: string | undefined): string {
  return runToken === undefined
    ? `${prefix}mc-probe-${process.pid}-${Date.now().toString(36)}`
    : `${prefix}mc-${runToken}-capability-probe`;
}

/** Whether a LIST of the mailbox shows it without \Noinferiors. */
async function takesInferiors(state: ImapState, ctx: StepContext, name: string): Promise<boolean> {
  const listed = await state.simpleCommand(ctx.deadline, `LIST "" ${name}`);
  const attributes = state.takeUntagged().map((r) => listAttributes(r.tokens)).find((a) => a !== undefined);
  return listed.status === "OK" && attributes !== undefined && !attributes.includes("\\NOINFERIORS");
}

/** `* OK [PERMANENTFLAGS (\Seen \*)]`: `\*` says new keywords can be created in the mailbox (RFC 3501 §7.1). */
function allowsNewKeywords(code: ImapToken[] | undefined): boolean {
  if (code?.[0]?.type !== "atom" || code[0].value.toUpperCase() !== "PERMANENTFLAGS" || code[1]?.type !== "list") return false;
  return code[1].items.some((item) => item.type === "atom" && item.value === "\\*");
}

/**
 * Whether a new mailbox offers new keywords: a server may keep only the system
 * flags (PERMANENTFLAGS without `\*`, RFC 3501 §7.1), so keyword tests need
 * the pseudo-capability KEYWORDS. SELECT, not EXAMINE: a read-only mailbox
 * lists no permanent flags. The scratch mailbox is empty, so the CLOSE after
 * it expunges nothing; it comes before the DELETE because some servers refuse
 * to delete the selected mailbox.
 */
async function offersKeywords(state: ImapState, ctx: StepContext, name: string): Promise<boolean> {
  const completion = await state.simpleCommand(ctx.deadline, `SELECT ${name}`);
  const offered = state.takeUntagged().some((r) => allowsNewKeywords(r.code));
  if (completion.status !== "OK") return false;
  await state.simpleCommand(ctx.deadline, "CLOSE");
  state.takeUntagged();
  return offered;
}

/** CREATEs the scratch mailbox, reads INFERIORS (where there is a hierarchy) and KEYWORDS off it, and DELETEs it. */
async function probeScratchMailbox(state: ImapState, ctx: StepContext, namespace: ImapNamespace | undefined, runToken: string | undefined, into: Set<string>): Promise<void> {
  const name = quoted(scratchMailboxName(namespace?.prefix ?? "", runToken));
  const created = await state.simpleCommand(ctx.deadline, `CREATE ${name}`);
  state.takeUntagged();
  if (created.status !== "OK") return;
  if (namespace?.delimiter && (await takesInferiors(state, ctx, name))) into.add(INFERIORS);
  if (await offersKeywords(state, ctx, name)) into.add(KEYWORDS);
  await state.simpleCommand(ctx.deadline, `DELETE ${name}`);
  state.takeUntagged();
}

/** The IMAP probe's options: with the run's token the scratch mailbox is one the sweep knows. */
export type ImapProbeOptions = ProbeOptions & { runToken?: string };

export async function probeImap(state: ImapState, ctx: StepContext, { upgrade, user, runToken }: ImapProbeOptions, found: ProbeFindings): Promise<void> {
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
      await probeScratchMailbox(state, ctx, namespace, runToken, advertised);
    }
  }
  state.sendCommand(`${state.nextTag()} LOGOUT`);
}

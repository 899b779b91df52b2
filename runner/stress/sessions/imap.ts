// One IMAP stress session: LOGIN, SELECT, FETCH and STORE on a prepared
// message, SEARCH, APPEND, then delete what it appended (UID STORE \Deleted
// by its APPENDUID, EXPUNGE), LOGOUT. Prepared messages 1..K are never
// deleted, so their sequence numbers hold while other sessions expunge.
// With imapCommandsPerSession > 0, a long session instead: after LOGIN and
// SELECT, that many commands drawn from LIST, STATUS, SELECT, FETCH of
// headers or of a whole message, STORE, and APPEND (then UID STORE \Deleted
// and EXPUNGE of what it appended), then LOGOUT: the load of a mail client
// that stays logged in.
// Standards: RFC 3501 §6.2.3, §6.3.1, §6.3.8, §6.3.10, §6.3.11, §6.4.3, §6.4.5, §6.4.6, §6.4.8, §7; RFC 4315 §3 (APPENDUID).

import { parseResponse, type ImapToken } from "../../../wire/imap-tokens.ts";
import { connectImap, expectImapOk, WrongReply } from "../checks.ts";
import type { ImapLineClient } from "../../session/imap-line-client.ts";
import { connectTimed, looksLikeMessage, stressMessage, timed, type SessionContext } from "./session.ts";

const P = "imap";

/** A quoted string (RFC 3501 §4.3); logins and passwords of test users need nothing more. */
export function imapQuoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const show = (text: string) => JSON.stringify(text.slice(0, 120));

/** `* n EXISTS` of the last such response (RFC 3501 §7.3.1). */
export function existsCount(untagged: string[]): number | null {
  let exists: number | null = null;
  for (const text of untagged) {
    const m = /^\* (\d+) EXISTS$/i.exec(text);
    if (m) exists = Number(m[1]);
  }
  return exists;
}

/** The FETCH data items of `* n FETCH (...)` for message n, as name → token. */
function fetchItems(untagged: string[], n: number): Map<string, ImapToken> | null {
  for (const text of untagged) {
    if (!text.startsWith(`* ${n} FETCH`)) continue;
    const response = parseResponse(Buffer.from(text, "latin1"));
    if (response.kind !== "untagged") continue;
    const list = response.tokens[2];
    if (list?.type !== "list") throw new WrongReply(`FETCH: no data item list in ${show(text)}`);
    const items = new Map<string, ImapToken>();
    for (let i = 0; i + 1 < list.items.length; i += 2) {
      const name = list.items[i]!;
      if (name.type === "atom") items.set(name.section ? `${name.value.toUpperCase()}[]` : name.value.toUpperCase(), list.items[i + 1]!);
    }
    return items;
  }
  return null;
}

function flagsInclude(items: Map<string, ImapToken> | null, flag: string): boolean {
  const flags = items?.get("FLAGS");
  return flags?.type === "list" && flags.items.some((f) => f.type === "atom" && f.value.toLowerCase() === flag.toLowerCase());
}

export async function imapSession(ctx: SessionContext): Promise<void> {
  if (ctx.imapCommandsPerSession > 0) return imapLongSession(ctx);
  const t = ctx.timeoutMs;
  // connectImap checks the greeting; nothing is left to read before the first command.
  const imap = await connectTimed(ctx, P, connectImap, async () => undefined);
  try {
    await timed(ctx, P, "LOGIN", () => expectImapOk(imap, `LOGIN ${imapQuoted(ctx.user.login)} ${imapQuoted(ctx.user.password)}`, t));
    await timed(ctx, P, "SELECT", async () => {
      const done = await expectImapOk(imap, "SELECT INBOX", t);
      const exists = existsCount(done.untagged);
      if (exists === null || exists < ctx.seedMessages) throw new WrongReply(`SELECT: EXISTS ${exists}, the prepared mailbox has ${ctx.seedMessages}`);
    });
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    await timed(ctx, P, "FETCH", async () => {
      const done = await expectImapOk(imap, `FETCH ${n} (FLAGS BODY.PEEK[])`, t);
      const body = fetchItems(done.untagged, n)?.get("BODY[]");
      if (body?.type !== "string" || !looksLikeMessage(body.value.toString("latin1", 0, 4096))) throw new WrongReply(`FETCH ${n}: no BODY[] that is a message`);
    });
    await timed(ctx, P, "STORE", async () => {
      const done = await expectImapOk(imap, `STORE ${n} +FLAGS (\\Flagged)`, t);
      // RFC 3501 §6.4.6: without .SILENT the server returns the new flags. Dovecot sends no FETCH when the
      // flag was already set (an earlier session's STORE); SEARCH FLAGGED below checks the effect either way.
      const items = fetchItems(done.untagged, n);
      if (items !== null && !flagsInclude(items, "\\Flagged")) throw new WrongReply(`STORE ${n}: FETCH without \\Flagged`);
    });
    await timed(ctx, P, "SEARCH", async () => {
      const done = await expectImapOk(imap, "SEARCH FLAGGED", t);
      const hits = done.untagged.find((l) => /^\* SEARCH\b/i.test(l));
      if (!hits?.split(" ").slice(2).includes(String(n))) throw new WrongReply(`SEARCH FLAGGED: message ${n} (just flagged) missing`);
    });
    await appendAndExpunge(ctx, imap);
    await timed(ctx, P, "LOGOUT", async () => {
      const done = await expectImapOk(imap, "LOGOUT", t);
      // RFC 3501 §6.1.3: the server MUST send BYE before the tagged OK.
      if (!done.untagged.some((text) => /^\* BYE\b/i.test(text))) throw new WrongReply("LOGOUT: no untagged BYE");
    });
  } finally {
    imap.close();
  }
}

/** SELECT INBOX, checking that the prepared messages are there. */
async function selectInbox(ctx: SessionContext, imap: ImapLineClient): Promise<void> {
  const done = await expectImapOk(imap, "SELECT INBOX", ctx.timeoutMs);
  const exists = existsCount(done.untagged);
  if (exists === null || exists < ctx.seedMessages) throw new WrongReply(`SELECT: EXISTS ${exists}, the prepared mailbox has ${ctx.seedMessages}`);
}

/** APPEND a message, then delete it again (UID STORE \Deleted by its APPENDUID, EXPUNGE), each command timed. */
async function appendAndExpunge(ctx: SessionContext, imap: ImapLineClient): Promise<void> {
  const t = ctx.timeoutMs;
  const message = stressMessage(ctx.messageOctets, ctx.nextMessageId(), ctx.sender, ctx.user.address, "stress append");
  const appended = await timed(ctx, P, "APPEND", async () => {
    const done = await expectImapOk(imap, "APPEND INBOX (\\Seen)", t, message);
    // RFC 4315 §3: [APPENDUID uidvalidity uid]; without UIDPLUS nothing is deleted afterwards.
    const tagged = parseResponse(Buffer.from(done.tagged, "latin1"));
    const code = tagged.kind === "tagged" ? tagged.code : undefined;
    return code?.[0]?.type === "atom" && code[0].value.toUpperCase() === "APPENDUID" && code[2]?.type === "number" ? code[2].value : null;
  });
  if (appended !== null) await timed(ctx, P, "UID STORE", () => expectImapOk(imap, `UID STORE ${appended} +FLAGS.SILENT (\\Deleted)`, t));
  await timed(ctx, P, "EXPUNGE", () => expectImapOk(imap, "EXPUNGE", t));
}

/** The commands of a long session and their weights: mostly reads, as a mail client's are. */
const LONG_SESSION_COMMANDS: [weight: number, run: (ctx: SessionContext, imap: ImapLineClient) => Promise<unknown>][] = [
  [1, (ctx, imap) => timed(ctx, P, "LIST", async () => {
    const done = await expectImapOk(imap, 'LIST "" "*"', ctx.timeoutMs);
    if (!done.untagged.some((l) => /^\* LIST .*\bINBOX"?$/i.test(l))) throw new WrongReply("LIST: no INBOX");
  })],
  [1, (ctx, imap) => timed(ctx, P, "STATUS", async () => {
    const done = await expectImapOk(imap, "STATUS INBOX (MESSAGES UIDNEXT UNSEEN)", ctx.timeoutMs);
    if (!done.untagged.some((l) => /^\* STATUS .*\(.*MESSAGES \d+/i.test(l))) throw new WrongReply("STATUS: no MESSAGES count");
  })],
  [1, (ctx, imap) => timed(ctx, P, "SELECT", () => selectInbox(ctx, imap))],
  [3, (ctx, imap) => {
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    return timed(ctx, P, "FETCH header", async () => {
      const done = await expectImapOk(imap, `FETCH ${n} (FLAGS BODY.PEEK[HEADER])`, ctx.timeoutMs);
      const header = fetchItems(done.untagged, n)?.get("BODY[]");
      if (header?.type !== "string" || !/^[!-9;-~]+:/.test(header.value.toString("latin1", 0, 200))) throw new WrongReply(`FETCH ${n}: no BODY[HEADER]`);
    });
  }],
  [2, (ctx, imap) => {
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    return timed(ctx, P, "FETCH body", async () => {
      const done = await expectImapOk(imap, `FETCH ${n} (BODY.PEEK[])`, ctx.timeoutMs);
      const body = fetchItems(done.untagged, n)?.get("BODY[]");
      if (body?.type !== "string" || !looksLikeMessage(body.value.toString("latin1", 0, 4096))) throw new WrongReply(`FETCH ${n}: no BODY[] that is a message`);
    });
  }],
  [2, (ctx, imap) => {
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    const change = ctx.random() < 0.5 ? "+" : "-";
    return timed(ctx, P, "STORE", () => expectImapOk(imap, `STORE ${n} ${change}FLAGS.SILENT (\\Flagged)`, ctx.timeoutMs));
  }],
  [1, (ctx, imap) => appendAndExpunge(ctx, imap)],
];

/** LOGIN, SELECT, then ctx.imapCommandsPerSession commands drawn by weight, LOGOUT: one TCP connection. */
async function imapLongSession(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  const imap = await connectTimed(ctx, P, connectImap, async () => undefined);
  try {
    await timed(ctx, P, "LOGIN", () => expectImapOk(imap, `LOGIN ${imapQuoted(ctx.user.login)} ${imapQuoted(ctx.user.password)}`, t));
    await timed(ctx, P, "SELECT", () => selectInbox(ctx, imap));
    const total = LONG_SESSION_COMMANDS.reduce((sum, [weight]) => sum + weight, 0);
    for (let i = 0; i < ctx.imapCommandsPerSession; i++) {
      let r = ctx.random() * total;
      const [, run] = LONG_SESSION_COMMANDS.find(([weight]) => (r -= weight) < 0) ?? LONG_SESSION_COMMANDS.at(-1)!;
      await run(ctx, imap);
    }
    await timed(ctx, P, "LOGOUT", async () => {
      const done = await expectImapOk(imap, "LOGOUT", t);
      if (!done.untagged.some((text) => /^\* BYE\b/i.test(text))) throw new WrongReply("LOGOUT: no untagged BYE");
    });
  } finally {
    imap.close();
  }
}

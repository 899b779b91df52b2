// The IMAP half of leaving a user's account as found: every mailbox whose
// name carries this run's token (`mc-<token>`, children before parents) is
// unsubscribed and deleted, and every INBOX message carrying the token
// anywhere in its text (the suites put it in Subject, Message-ID, an
// X-Mailconform-Run field or the EHLO name a Received field names) is
// flagged \Deleted and expunged — by UID EXPUNGE when the server has UIDPLUS,
// so a message the user had flagged \Deleted is never expunged with ours.
// A mailbox whose name ends in RESTORE_SUFFIX holds the user's own INBOX
// messages, moved aside by a test (RENAME INBOX) that was stopped before
// its `finally` put them back: they are copied back to INBOX first, and the
// mailbox is deleted only once that succeeded.
// Standards: RFC 3501 §6.3.1 (SELECT), §6.3.4 (DELETE), §6.3.8 (LIST), §6.4.4 (SEARCH TEXT), §6.4.6 (STORE), §6.4.7 (COPY), §6.4.3 (EXPUNGE); RFC 4315 §2.1 (UID EXPUNGE).

import { parseResponse, type ImapToken } from "../../wire/imap-tokens.ts";
import { ImapLineClient, type ImapCompletion } from "../session/imap-line-client.ts";
import { closeOnAbort, SweepError, type SweepAccess, type SweepCount, type SweepProgress } from "./sweep-result.ts";

/** `${imap.prefix}mc-${run.token}-<slug>-restore-to-inbox`: a test's stand-in for INBOX (docs/language.md). */
export const RESTORE_SUFFIX = "-restore-to-inbox";

export async function sweepImap(o: SweepAccess, progress: SweepProgress): Promise<SweepCount> {
  const imap = await login(o);
  const unhook = closeOnAbort(o.signal, imap);
  try {
    const marker = Buffer.from(`mc-${o.token}`, "latin1");
    const pattern = quoted(`*mc-${o.token}*`);
    // Longest name first: a child (`…-a.sub`) is always longer than its parent.
    const boxes = names(await ok(imap, "LIST", `"" ${pattern}`), "LIST").filter((n) => n.includes(marker)).sort((a, b) => b.length - a.length);
    // The user's own messages go home before anything is deleted.
    for (const name of boxes.filter((n) => n.toString("latin1").endsWith(RESTORE_SUFFIX))) await restore(imap, name);
    const select = await ok(imap, "SELECT", "INBOX");
    const ours = searched(await ok(imap, "UID SEARCH", `TEXT ${quoted(o.token)}`));
    progress.found = { mailboxes: boxes.length, messages: ours.length };
    for (const name of names(await ok(imap, "LSUB", `"" ${pattern}`), "LSUB").filter((n) => n.includes(marker))) {
      await imap.run("UNSUBSCRIBE", name);
    }
    // DELETE of the selected mailbox is refused by some servers; INBOX is selected, never one of ours.
    for (const name of boxes) {
      const done = await imap.run("DELETE", name);
      if (done.status === "OK") progress.removed.mailboxes++;
    }
    progress.removed.messages = await expunge(imap, ours, select);
    await imap.run("LOGOUT").catch(() => undefined);
    return { ...progress.removed };
  } finally {
    unhook();
    imap.close();
  }
}

/** True once INBOX holds a message whose `field` header contains `value` (a fresh session each time: it sees new mail). */
export async function imapHasMessage(o: SweepAccess, field: string, value: string): Promise<boolean> {
  const imap = await login(o);
  const unhook = closeOnAbort(o.signal, imap);
  try {
    await ok(imap, "EXAMINE", "INBOX");
    const found = searched(await ok(imap, "UID SEARCH", `HEADER ${quoted(field)} ${quoted(value)}`)).length > 0;
    await imap.run("LOGOUT").catch(() => undefined);
    return found;
  } finally {
    unhook();
    imap.close();
  }
}

async function login(o: SweepAccess): Promise<ImapLineClient> {
  const imap = await ImapLineClient.connect(o.endpoint, { timeoutMs: o.timeoutMs });
  try {
    if (o.starttls) {
      await ok(imap, "STARTTLS");
      await imap.startTls();
    }
    await ok(imap, "LOGIN", `${quoted(o.login)} ${quoted(o.password)}`);
    return imap;
  } catch (e) {
    imap.close();
    throw e;
  }
}

/** Copies every message of `name` back to INBOX (flags and dates kept, RFC 3501 §6.4.7); a failure keeps the mailbox. */
async function restore(imap: ImapLineClient, name: Buffer): Promise<void> {
  const selected = await imap.run("SELECT", name);
  const shown = name.toString("latin1");
  if (selected.status !== "OK") throw new SweepError(`SELECT ${shown}, which holds messages moved out of INBOX: ${selected.tagged.slice(0, 200)}; nothing was deleted`);
  const exists = Number(selected.untagged.map((l) => /^\* (\d+) EXISTS/i.exec(l)?.[1]).find((n) => n !== undefined) ?? "0");
  if (exists > 0) {
    const copied = await imap.run("COPY 1:* INBOX");
    if (copied.status !== "OK") throw new SweepError(`COPY back to INBOX from ${shown}: ${copied.tagged.slice(0, 200)}; nothing was deleted`);
  }
  // Left selected: the SELECT INBOX that follows deselects it before it is deleted.
}

async function expunge(imap: ImapLineClient, ours: number[], select: ImapCompletion): Promise<number> {
  if (ours.length === 0) return 0;
  const capabilities = (await ok(imap, "CAPABILITY")).untagged.join(" ").toUpperCase() + " " + select.tagged.toUpperCase();
  const set = ours.join(",");
  await ok(imap, "UID STORE", `${set} +FLAGS.SILENT (\\Deleted)`);
  if (/\bUIDPLUS\b/.test(capabilities)) {
    await ok(imap, "UID EXPUNGE", set);
    return ours.length;
  }
  // Plain EXPUNGE removes every \Deleted message: only when all of them are ours.
  const flagged = searched(await ok(imap, "UID SEARCH", "DELETED"));
  if (flagged.some((uid) => !ours.includes(uid))) {
    await ok(imap, "UID STORE", `${set} -FLAGS.SILENT (\\Deleted)`);
    throw new SweepError(`${ours.length} messages of this run left in INBOX: the server lacks UIDPLUS and the user has other messages flagged \\Deleted`);
  }
  await ok(imap, "EXPUNGE");
  return ours.length;
}

/** Run `verb args` and insist on OK. */
async function ok(imap: ImapLineClient, verb: string, args?: string): Promise<ImapCompletion> {
  const done = await imap.run(args === undefined ? verb : `${verb} ${args}`);
  if (done.status !== "OK") throw new SweepError(`${verb}: ${done.tagged.slice(0, 200)}`);
  return done;
}

function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Mailbox names of `* LIST (flags) delim name` responses, as the server's octets (resent as literals). */
function names(done: ImapCompletion, verb: "LIST" | "LSUB"): Buffer[] {
  const out: Buffer[] = [];
  for (const line of done.untagged) {
    const r = parseResponse(Buffer.from(line, "latin1"));
    if (r.kind !== "untagged" || r.status !== undefined) continue;
    const [head, , , name] = r.tokens as (ImapToken | undefined)[];
    if (head?.type !== "atom" || head.value.toUpperCase() !== verb || !name) continue;
    if (name.type === "string") out.push(name.value);
    else if (name.type === "atom") out.push(Buffer.from(name.value, "latin1"));
  }
  return out;
}

/** The UIDs of `* SEARCH n n …`. */
function searched(done: ImapCompletion): number[] {
  return done.untagged.flatMap((line) => {
    const m = /^\* SEARCH\b(.*)$/i.exec(line);
    return m ? m[1]!.trim().split(/\s+/).filter(Boolean).map(Number) : [];
  });
}

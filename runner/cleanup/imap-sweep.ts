// The IMAP half of leaving a user's account as found: every mailbox whose
// name carries this run's token (`mc-<token>`, children before parents) is
// unsubscribed and deleted, and every INBOX message carrying the token
// anywhere in its text (the suites put it in Subject and Message-ID) is
// flagged \Deleted and expunged — by UID EXPUNGE when the server has UIDPLUS,
// so a message the user had flagged \Deleted is never expunged with ours.
// Standards: RFC 3501 §6.3.4 (DELETE), §6.3.8 (LIST), §6.4.4 (SEARCH TEXT), §6.4.6 (STORE), §6.4.3 (EXPUNGE); RFC 4315 §2.1 (UID EXPUNGE).

import { parseResponse, type ImapToken } from "../../wire/imap-tokens.ts";
import { ImapLineClient, type ImapCompletion } from "../session/imap-line-client.ts";
import { SweepError, type SweepAccess, type SweepCount } from "./sweep-result.ts";

export async function sweepImap(o: SweepAccess): Promise<SweepCount> {
  const imap = await ImapLineClient.connect(o.endpoint, { timeoutMs: o.timeoutMs });
  try {
    if (o.starttls) {
      await ok(imap, "STARTTLS");
      await imap.startTls();
    }
    await ok(imap, "LOGIN", `${quoted(o.login)} ${quoted(o.password)}`);
    const marker = Buffer.from(`mc-${o.token}`, "latin1");
    const pattern = quoted(`*mc-${o.token}*`);
    // Longest name first: a child (`…-a.sub`) is always longer than its parent.
    const boxes = names(await ok(imap, "LIST", `"" ${pattern}`), "LIST").filter((n) => n.includes(marker)).sort((a, b) => b.length - a.length);
    for (const name of names(await ok(imap, "LSUB", `"" ${pattern}`), "LSUB").filter((n) => n.includes(marker))) {
      await imap.run("UNSUBSCRIBE", name);
    }
    let mailboxes = 0;
    for (const name of boxes) {
      const done = await imap.run("DELETE", name);
      if (done.status === "OK") mailboxes++;
    }
    const messages = await expungeTokenMessages(imap, o.token);
    await imap.run("LOGOUT").catch(() => undefined);
    return { mailboxes, messages };
  } finally {
    imap.close();
  }
}

async function expungeTokenMessages(imap: ImapLineClient, token: string): Promise<number> {
  const select = await ok(imap, "SELECT", "INBOX");
  const capabilities = (await ok(imap, "CAPABILITY")).untagged.join(" ").toUpperCase() + " " + select.tagged.toUpperCase();
  const ours = searched(await ok(imap, "UID SEARCH", `TEXT ${quoted(token)}`));
  if (ours.length === 0) return 0;
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

/** Run `verb args` (args may need a literal: names are sent as literals) and insist on OK. */
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

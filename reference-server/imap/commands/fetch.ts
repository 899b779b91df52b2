// FETCH (and UID FETCH): the requested items of each message in the set.
// Fetching a body section without PEEK sets \Seen first and reports the new
// FLAGS with it. A message another session expunged meanwhile is skipped and
// the command ends NO (RFC 2180 §4.1.2).
// CHANGEDSINCE and VANISHED (RFC 7162) narrow the set and report what vanished.
// Standards: RFC 3501 §6.4.5, §7.4.2, §6.4.8 (UID FETCH includes UID), RFC 2180 §4.1, RFC 7162 §3.1.4, §3.2.6.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { formatUidSet, readSequenceSet, resolveSequenceNumbers, resolveUids } from "../grammar/sequence-set.ts";
import { loadMessage } from "../fetch-items/load.ts";
import { needsBody, readFetchItems, setsSeen, type FetchItem } from "../fetch-items/parse.ts";
import { renderFetch } from "../fetch-items/render.ts";
import { lastResult } from "../search-keys/results.ts";
import { readFetchModifiers, uidsNamed, withoutStar } from "../mailbox/modseq-args.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { ResponseBuilder } from "../writer.ts";
import { complete, untagged } from "../vocabulary.ts";

export const fetch: CommandRow<ImapSession, ImapState> = {
  verb: "FETCH",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runFetch(s, command, r, false);
  },
};

/** `r` positioned at the sequence set. */
export async function runFetch(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const set = readSequenceSet(r, lastResult(s.view!, byUid));
  r.sp();
  let items = readFetchItems(r);
  const modifiers = readFetchModifiers(r, s, byUid);
  r.end();
  const view = s.view!;
  const positions = byUid ? resolveUids(set, view.uids()) : resolveSequenceNumbers(set, view.exists).map((n) => n - 1);
  if (byUid && !items.some((i) => i.kind === "UID")) items = [{ kind: "UID" }, ...items];
  // RFC 7162 §3.1.4.1: CHANGEDSINCE keeps the messages changed after it and implies MODSEQ;
  // §3.1: asking for MODSEQ enables CONDSTORE; §3.2.6: VANISHED (EARLIER) comes before any FETCH.
  const since = modifiers.changedSince;
  const chosen = since === null ? positions : positions.filter((i) => view.messages[i]!.modseq > since);
  if (since !== null || items.some((i) => i.kind === "MODSEQ")) s.enabled.add("CONDSTORE");
  if (view.condstore && !items.some((i) => i.kind === "MODSEQ") && (since !== null || setsSeen(items))) items = [...items, { kind: "MODSEQ" }];
  if (modifiers.vanished) {
    const candidates = uidsNamed(withoutStar(set, view.uidNext), view.uidNext);
    const gone = (await viaStore(s, async () => view.mailbox.vanishedSince?.(since!, candidates))) ?? [];
    if (gone.length > 0) untagged(s, `VANISHED (EARLIER) ${formatUidSet(gone)}`);
  }
  const markSeen = setsSeen(items) && !view.readOnly;
  if (markSeen && !items.some((i) => i.kind === "FLAGS")) items = [...items, { kind: "FLAGS" } as FetchItem];
  const body = needsBody(items);
  let missing = false;
  // A message body queued and not yet sent: the next one waits until it is handed to the socket and drained.
  let queued = false;
  for (const i of chosen) {
    // Message bodies go out one at a time, at the pace the client reads them. The last one goes out with
    // the tagged reply: one socket write for a one-message FETCH instead of two.
    if (queued) {
      await s.conn.flushAndDrain(s.context.config.imap.idleTimeoutMs);
      queued = false;
    }
    const m = view.messages[i]!;
    if (m.gone) {
      missing = true;
      continue;
    }
    const message = body ? await loadMessage(s, view, m) : null;
    if (body && message === null) {
      missing = true;
      continue;
    }
    if (markSeen && !m.flags.includes("\\Seen")) {
      const modseqs = new Map<number, number>();
      const result = await viaStore(s, () => view.mailbox.storeFlags([m.uid], "add", ["\\Seen"], { modseqs }));
      const now = result.get(m.uid);
      if (now) m.flags = [...now];
      m.modseq = modseqs.get(m.uid) ?? m.modseq;
    }
    const data = await renderFetch(view, m, items, message);
    untagged(s, new ResponseBuilder().text(`${i + 1} FETCH `).value(data).finish() as string | Buffer);
    queued = body;
  }
  if (missing) {
    // RFC 5530 EXPUNGEISSUED: another session expunged some of them; a NOOP will tell.
    await complete(s, command, "some of the requested messages no longer exist", "EXPUNGEISSUED");
    return;
  }
  await complete(s, command, "fetch completed");
}


// SEARCH (and UID SEARCH): the numbers (or UIDs) of the messages that match,
// in one untagged SEARCH response, ascending; with RETURN (...) an ESEARCH
// response instead, and SAVE keeps the result as "$".
// After ENABLE IMAP4rev2 every SEARCH is answered with ESEARCH.
// Standards: RFC 3501 §6.4.4, §7.2.5, §6.4.8, RFC 4731 §3.1 (ESEARCH), RFC 5182 §2.1 (SAVE, "$"), RFC 9051 §6.4.4.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { TempFailure } from "../../core/errors.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { loadMessage } from "../fetch-items/load.ts";
import type { MailboxView } from "../mailbox/view.ts";
import { matches } from "../search-keys/evaluate.ts";
import { readSearch, type SearchContext, type SearchKey } from "../search-keys/parse.ts";
import { answerWithOptions, lastResult, readReturnOptions, saveResult, type ReturnOptions } from "../search-keys/results.ts";
import { revision2 } from "../revision.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal, untagged } from "../vocabulary.ts";

export const search: CommandRow<ImapSession, ImapState> = {
  verb: "SEARCH",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runSearch(s, command, r, false);
  },
};

/** `r` positioned at the search criteria (or RETURN). */
export async function runSearch(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const view = s.view!;
  // RFC 9051 §6.4.4: with no result option "ALL is assumed", and the answer is an ESEARCH response.
  const options = readReturnOptions(r) ?? (revision2(s.enabled) ? { min: false, max: false, all: true, count: false, save: false } : null);
  const context = searchContext(view);
  const found = await savingOnRefusal(view, options, async () => findMatches(s, view, readSearch(r, context)));
  // RFC 7162 §3.1: a SEARCH with MODSEQ enables CONDSTORE; §3.1.6: a non-empty result carries the highest MODSEQ.
  if (context.modseq) s.enabled.add("CONDSTORE");
  const modseqSuffix = context.modseq && found.length > 0 ? ` (MODSEQ ${found.reduce((top, i) => Math.max(top, view.messages[i]!.modseq), 0)})` : "";
  if (options !== null) {
    answerWithOptions(s, command.tag!, options, found, byUid, context.modseq === true);
  } else {
    const ids = found.map((i) => (byUid ? view.messages[i]!.uid : i + 1));
    untagged(s, ids.length > 0 ? `SEARCH ${ids.join(" ")}${modseqSuffix}` : "SEARCH");
  }
  await complete(s, command, "search completed");
}

/** What the search keys of a command in this view may name: "$", the saved result. */
export function searchContext(view: MailboxView): SearchContext {
  return { lastResult: (byUid) => lastResult(view, byUid)() };
}

/**
 * Run a searching command's work; when it ends in NO and the client asked to SAVE, "$" becomes
 * empty (RFC 5182 §2.1). A BAD leaves "$" as it was, and so does a NO without SAVE.
 */
export async function savingOnRefusal<T>(view: MailboxView, options: ReturnOptions | null, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (options?.save && (error instanceof Refusal || error instanceof TempFailure)) saveResult(view, []);
    throw error;
  }
}

/** Positions (0-based) of the messages that match, ascending; messages expunged meanwhile are left out. */
export async function findMatches(s: ImapSession, view: MailboxView, key: SearchKey): Promise<number[]> {
  const maxSeq = view.messages.length;
  const maxUid = maxSeq > 0 ? view.messages[maxSeq - 1]!.uid : 0;
  const hits: number[] = [];
  for (const [i, message] of view.messages.entries()) {
    if (message.gone) continue;
    const candidate = { seq: i + 1, message, maxSeq, maxUid, load: () => loadMessage(s, view, message) };
    if (await matches(key, candidate)) hits.push(i);
  }
  return hits;
}

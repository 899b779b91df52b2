// SORT (and UID SORT): SEARCH whose result comes back in the order of a
// sort program, in one untagged SORT response; with RETURN (...) (ESORT) an
// ESEARCH response in that order, SAVE keeping the result as "$".
// Standards: RFC 5256 BASE.6.4.SORT, BASE.7.2.SORT, §5 (sort ABNF); RFC 5267 §3 (extended SORT), §3.1 (ESORT);
// RFC 5182 §1 (SAVE with "any command based on SEARCH"); RFC 7162 §3.1.5 ((MODSEQ n) in SORT).

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import type { MailboxView } from "../mailbox/view.ts";
import { checkCharset, readSearchKeys } from "../search-keys/parse.ts";
import { answerWithOptions, readReturnOptions } from "../search-keys/results.ts";
import { readSortCriteria, sortMessages, type Sortable } from "../sort/criteria.ts";
import { sortFields } from "../sort/fields.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";
import { findMatches, savingOnRefusal, searchContext } from "./search.ts";

export const sort: CommandRow<ImapSession, ImapState> = {
  verb: "SORT",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runSort(s, command, r, false);
  },
};

/** extended-sort = ["UID" SP] "SORT" [search-return-opts] SP sort-criteria SP search-criteria — `r` after "SORT" SP. */
export async function runSort(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const view = s.view!;
  const options = readReturnOptions(r);
  const context = searchContext(view);
  const sorted = await savingOnRefusal(view, options, async () => {
    const criteria = readSortCriteria(r);
    r.sp();
    // search-criteria = charset 1*(SP search-key): the charset is mandatory here (RFC 5256 BASE.6.4.SORT).
    checkCharset(r.astringText("a charset"));
    r.sp();
    const key = readSearchKeys(r, context);
    return sortMessages(await sortables(s, view, await findMatches(s, view, key)), criteria).map((m) => m.position);
  });
  // RFC 7162 §3.1: a MODSEQ search key enables CONDSTORE; §3.1.5 sort-data: a non-empty result ends in (MODSEQ highest).
  if (context.modseq) s.enabled.add("CONDSTORE");
  if (options !== null) {
    answerWithOptions(s, command.tag!, options, sorted, byUid, context.modseq === true);
  } else {
    const ids = sorted.map((i) => (byUid ? view.messages[i]!.uid : i + 1));
    const modseq = context.modseq && ids.length > 0 ? ` (MODSEQ ${Math.max(...sorted.map((i) => view.messages[i]!.modseq))})` : "";
    untagged(s, ids.length > 0 ? `SORT ${ids.join(" ")}${modseq}` : "SORT");
  }
  await complete(s, command, "sort completed");
}

/** The found messages with their sort fields; one expunged meanwhile is left out. */
export async function sortables(s: ImapSession, view: MailboxView, positions: readonly number[]): Promise<Sortable[]> {
  const out: Sortable[] = [];
  for (const position of positions) {
    const m = view.messages[position]!;
    const fields = await sortFields(s, view, m);
    if (fields !== null) out.push({ position, size: m.size, internalDate: m.internalDate.getTime(), fields });
  }
  return out;
}

// SEARCH (and UID SEARCH): the numbers (or UIDs) of the messages that match,
// in one untagged SEARCH response, ascending.
// Standards: RFC 3501 §6.4.4, §7.2.5, §6.4.8.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { loadMessage } from "../fetch-items/load.ts";
import { matches } from "../search-keys/evaluate.ts";
import { readSearch } from "../search-keys/parse.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";

export const search: CommandRow<ImapSession, ImapState> = {
  verb: "SEARCH",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runSearch(s, command, r, false);
  },
};

/** `r` positioned at the search criteria. */
export async function runSearch(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const key = readSearch(r);
  const view = s.view!;
  const maxSeq = view.messages.length;
  const maxUid = maxSeq > 0 ? view.messages[maxSeq - 1]!.uid : 0;
  const hits: number[] = [];
  for (const [i, message] of view.messages.entries()) {
    if (message.gone) continue;
    const candidate = { seq: i + 1, message, maxSeq, maxUid, load: () => loadMessage(s, view, message) };
    if (await matches(key, candidate)) hits.push(byUid ? message.uid : i + 1);
  }
  untagged(s, hits.length > 0 ? `SEARCH ${hits.join(" ")}` : "SEARCH");
  await complete(s, command, "search completed");
}

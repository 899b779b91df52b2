// STORE (and UID STORE): replace, add or remove flags, answering with the
// new FLAGS of each message unless .SILENT. \Recent cannot be changed by a
// client (BAD, from the grammar); a read-only mailbox refuses with NO.
// (UNCHANGEDSINCE n) changes only messages not modified after n and names
// the others in [MODIFIED set]; every message it changed is reported with
// MODSEQ, .SILENT or not.
// Standards: RFC 3501 §6.4.6, §9 (store-att-flags), §2.3.2, RFC 7162 §3.1.3.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { formatUidSet, readSequenceSet, resolveSequenceNumbers, resolveUids } from "../grammar/sequence-set.ts";
import { readModseq } from "../mailbox/modseq-args.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { lastResult } from "../search-keys/results.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal, untagged } from "../vocabulary.ts";

export const store: CommandRow<ImapSession, ImapState> = {
  verb: "STORE",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runStore(s, command, r, false);
  },
};

/** store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))) */
export async function runStore(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const set = readSequenceSet(r, lastResult(s.view!, byUid));
  r.sp();
  // store-modifier = "UNCHANGEDSINCE" SP mod-sequence-valzer (RFC 7162 §7); a STORE with it enables CONDSTORE.
  let unchangedSince: number | undefined;
  if (r.accept("(")) {
    const modifier = r.atom("a store modifier").toUpperCase();
    if (modifier !== "UNCHANGEDSINCE") syntax(`unknown store modifier ${modifier.slice(0, 30)}`);
    r.sp();
    unchangedSince = readModseq(r, true);
    r.expect(")", '")" after the store modifier');
    r.sp();
    s.enabled.add("CONDSTORE");
  }
  const mode = r.accept("+") ? "add" : r.accept("-") ? "remove" : "set";
  const item = r.atom("FLAGS, FLAGS.SILENT").toUpperCase();
  if (item !== "FLAGS" && item !== "FLAGS.SILENT") syntax(`expected FLAGS or FLAGS.SILENT, not ${item.slice(0, 30)}`);
  r.sp();
  const flags = r.flagsLoose();
  r.end();
  const view = s.view!;
  if (view.readOnly) throw new Refusal("READ-ONLY", "mailbox is read-only");
  const positions = byUid ? resolveUids(set, view.uids()) : resolveSequenceNumbers(set, view.exists).map((n) => n - 1);
  const live = positions.filter((i) => !view.messages[i]!.gone);
  const options = { unchangedSince, modified: [] as number[], modseqs: new Map<number, number>() };
  const result = live.length > 0 ? await viaStore(s, () => view.mailbox.storeFlags(live.map((i) => view.messages[i]!.uid), mode, flags, options)) : new Map<number, string[]>();
  // New keywords are announced before the FETCH responses that carry them (RFC 3501 §7.2.6).
  view.announceKeywords(s, [...result.values()].flat());
  for (const i of live) {
    const m = view.messages[i]!;
    const now = result.get(m.uid);
    if (!now) continue;
    m.flags = [...now];
    m.modseq = options.modseqs.get(m.uid) ?? m.modseq;
    const silent = item !== "FLAGS";
    // RFC 7162 §3.1.3: a conditional STORE reports MODSEQ even when .SILENT.
    if (!silent || unchangedSince !== undefined) untagged(s, view.flagUpdate(i, m, { uid: byUid, flags: !silent }));
  }
  const modified = new Set(options.modified);
  const missing = live.length !== positions.length || live.some((i) => !result.has(view.messages[i]!.uid) && !modified.has(view.messages[i]!.uid));
  if (modified.size > 0) {
    // MODIFIED names message numbers for STORE, UIDs for UID STORE.
    const named = live.filter((i) => modified.has(view.messages[i]!.uid)).map((i) => (byUid ? view.messages[i]!.uid : i + 1));
    return complete(s, command, "conditional store failed for some messages", `MODIFIED ${formatUidSet(named)}`);
  }
  await complete(s, command, missing ? "some of the messages no longer exist" : "store completed", missing ? "EXPUNGEISSUED" : null);
}

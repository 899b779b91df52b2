// STORE (and UID STORE): replace, add or remove flags, answering with the
// new FLAGS of each message unless .SILENT. \Recent cannot be changed by a
// client (BAD, from the grammar); a read-only mailbox refuses with NO.
// Standards: RFC 3501 §6.4.6, §9 (store-att-flags), §2.3.2.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { readSequenceSet, resolveSequenceNumbers, resolveUids } from "../grammar/sequence-set.ts";
import { viaStore } from "../mailbox/store-errors.ts";
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
  const set = readSequenceSet(r);
  r.sp();
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
  const result = live.length > 0 ? await viaStore(s, () => view.mailbox.storeFlags(live.map((i) => view.messages[i]!.uid), mode, flags)) : new Map<number, string[]>();
  // New keywords are announced before the FETCH responses that carry them (RFC 3501 §7.2.6).
  view.announceKeywords(s, [...result.values()].flat());
  for (const i of live) {
    const m = view.messages[i]!;
    const now = result.get(m.uid);
    if (!now) continue;
    m.flags = [...now];
    if (item === "FLAGS") untagged(s, `${i + 1} FETCH (${byUid ? `UID ${m.uid} ` : ""}FLAGS (${view.flagsOf(m).join(" ")}))`);
  }
  const missing = live.length !== positions.length || live.some((i) => !result.has(view.messages[i]!.uid));
  await complete(s, command, missing ? "some of the messages no longer exist" : "store completed", missing ? "EXPUNGEISSUED" : null);
}

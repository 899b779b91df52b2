// EXPUNGE (and UID EXPUNGE uid-set): remove the \Deleted messages for good,
// each announced by an EXPUNGE response with its then-current number.
// With QRESYNC enabled they are announced as one VANISHED (mailbox/view.ts).
// Standards: RFC 3501 §6.4.3, §7.4.1, RFC 4315 §2.1 (UID EXPUNGE), RFC 7162 §3.2.7, §3.2.9.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { readSequenceSet, resolveUids } from "../grammar/sequence-set.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { lastResult } from "../search-keys/results.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";

export const expunge: CommandRow<ImapSession, ImapState> = {
  verb: "EXPUNGE",
  states: SELECTED,
  async handle(s, command) {
    argsOf(command).end();
    await runExpunge(s, command, null);
  },
};

/** `r` positioned at UID EXPUNGE's uid set, or null for plain EXPUNGE. */
export async function runExpunge(s: ImapSession, command: Command, r: ArgReader | null): Promise<void> {
  const set = r ? readSequenceSet(r, lastResult(s.view!, true)) : null;
  r?.end();
  const view = s.view!;
  // RFC 3501 §6.3.2: nothing may change in an EXAMINEd mailbox; like Dovecot we
  // answer OK having removed nothing.
  if (view.readOnly) return complete(s, command, "expunge completed, nothing removed from a read-only mailbox");
  // Expunges by others and fresh flags first, so the \Deleted set is current.
  await view.deliverUpdates(s, { expunges: true });
  const limit = set ? new Set(resolveUids(set, view.uids())) : null;
  const positions: number[] = [];
  view.messages.forEach((m, i) => {
    if (m.flags.includes("\\Deleted") && (!limit || limit.has(i))) positions.push(i);
  });
  let code: string | null = null;
  if (positions.length > 0) {
    await viaStore(s, () => view.mailbox.expunge(positions.map((i) => view.messages[i]!.uid)));
    view.removeAnnounced(s, positions);
    // RFC 7162 §3.2.7, §3.2.9: with QRESYNC the tagged OK carries the new HIGHESTMODSEQ.
    if (view.qresync) code = `HIGHESTMODSEQ ${(await viaStore(s, () => view.mailbox.status())).highestModseq ?? 0}`;
  }
  await complete(s, command, "expunge completed", code);
}

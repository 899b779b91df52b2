// COPY (and UID COPY): copy messages with their flags and internal dates to
// another mailbox, all or none (the store commits them as one batch); the OK
// carries COPYUID. MOVE reuses it, inside the same hold on the user's names.
// Standards: RFC 3501 §6.4.7 ([TRYCREATE], all-or-nothing), RFC 4315 §3 (COPYUID), RFC 9208 §4.3.1 (OVERQUOTA).

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { Mailbox, NewMessage } from "../../store/types.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { formatUidSet, readSequenceSet, resolveSequenceNumbers, resolveUids } from "../grammar/sequence-set.ts";
import { storeFailure, viaStore } from "../mailbox/store-errors.ts";
import type { ViewMessage } from "../mailbox/view.ts";
import { lastResult } from "../search-keys/results.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { MessageGone } from "../../store/types.ts";
import { checkQuota } from "../../store/quota.ts";
import { complete, Refusal } from "../vocabulary.ts";
import { quotaLimits } from "./quota.ts";

export const copy: CommandRow<ImapSession, ImapState> = {
  verb: "COPY",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const result = await s.context.store.withStableNames(s.user!, () => copyMessages(s, r, false));
    await complete(s, command, "copy completed", result.code);
  },
};

export interface CopyResult {
  /** "COPYUID v src dst", or null when nothing was copied. */
  code: string | null;
  /** Positions (0-based) of the copied source messages. */
  positions: number[];
  /** The mailbox copied into and the new UIDs there (MOVE takes them back if its expunge fails). */
  target: Mailbox;
  uids: number[];
}

/**
 * `r` positioned at "sequence-set SP mailbox"; the caller holds the user's names (withStableNames).
 * `addsToQuota` is false for MOVE: the user's one quota root holds source and target, so a move adds nothing.
 */
export async function copyMessages(s: ImapSession, r: ArgReader, byUid: boolean, addsToQuota = true): Promise<CopyResult> {
  const set = readSequenceSet(r, lastResult(s.view!, byUid));
  r.sp();
  const name = r.mailbox();
  r.end();
  const view = s.view!;
  const positions = (byUid ? resolveUids(set, view.uids()) : resolveSequenceNumbers(set, view.exists).map((n) => n - 1)).filter(
    (i) => !view.messages[i]!.gone,
  );
  const target = await viaStore(s, () => s.context.store.mailbox(s.user!, name), { tryCreate: true });
  const sources: ViewMessage[] = positions.map((i) => view.messages[i]!);
  if (addsToQuota) {
    const added = { octets: sources.reduce((sum, m) => sum + m.size, 0), messages: sources.length };
    await viaStore(s, () => checkQuota(s.context.store, s.user!, quotaLimits(s), added));
  }
  // Read one at a time as the store stages them: a large COPY is never held in memory whole.
  async function* messages(): AsyncGenerator<NewMessage> {
    for (const m of sources) yield { bytes: await view.mailbox.read(m.uid), flags: m.flags, internalDate: m.internalDate };
  }
  let copied: { uidValidity: number; uids: number[] };
  try {
    copied = await target.appendAll(messages());
  } catch (error) {
    if (error instanceof MessageGone) throw new Refusal("EXPUNGEISSUED", "a message was expunged by another session, nothing copied");
    throw storeFailure(s, error);
  }
  const code = copied.uids.length === 0 ? null : `COPYUID ${copied.uidValidity} ${formatUidSet(sources.map((m) => m.uid))} ${formatUidSet(copied.uids)}`;
  return { code, positions, target, uids: copied.uids };
}

// COPY (and UID COPY): copy messages with their flags and internal dates to
// another mailbox, all or none; the OK carries COPYUID. MOVE reuses it.
// Standards: RFC 3501 §6.4.7 ([TRYCREATE], all-or-nothing), RFC 4315 §3 (COPYUID).

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { formatUidSet, readSequenceSet, resolveSequenceNumbers, resolveUids } from "../grammar/sequence-set.ts";
import { storeFailure, viaStore } from "../mailbox/store-errors.ts";
import type { ViewMessage } from "../mailbox/view.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { MessageGone } from "../../store/types.ts";
import { complete, Refusal } from "../vocabulary.ts";

export const copy: CommandRow<ImapSession, ImapState> = {
  verb: "COPY",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const result = await copyMessages(s, r, false);
    await complete(s, command, "copy completed", result.code);
  },
};

export interface CopyResult {
  /** "COPYUID v src dst", or null when nothing was copied. */
  code: string | null;
  /** Positions (0-based) of the copied source messages. */
  positions: number[];
}

/** `r` positioned at "sequence-set SP mailbox". */
export async function copyMessages(s: ImapSession, r: ArgReader, byUid: boolean): Promise<CopyResult> {
  const set = readSequenceSet(r);
  r.sp();
  const name = r.mailbox();
  r.end();
  const view = s.view!;
  const positions = (byUid ? resolveUids(set, view.uids()) : resolveSequenceNumbers(set, view.exists).map((n) => n - 1)).filter(
    (i) => !view.messages[i]!.gone,
  );
  const target = await viaStore(s, () => s.context.store.mailbox(s.user!, name), { tryCreate: true });
  const copied: number[] = [];
  const sources: ViewMessage[] = positions.map((i) => view.messages[i]!);
  try {
    for (const m of sources) {
      const bytes = await view.mailbox.read(m.uid);
      copied.push(await target.append(bytes, { flags: m.flags, internalDate: m.internalDate }));
    }
  } catch (error) {
    // All or nothing (RFC 3501 §6.4.7): take back what was already copied.
    await target.expunge(copied).catch(() => undefined);
    if (error instanceof MessageGone) throw new Refusal("EXPUNGEISSUED", "a message was expunged by another session, nothing copied");
    throw storeFailure(s, error);
  }
  if (copied.length === 0) return { code: null, positions };
  const { uidValidity } = await viaStore(s, () => target.status());
  return { code: `COPYUID ${uidValidity} ${formatUidSet(sources.map((m) => m.uid))} ${formatUidSet(copied)}`, positions };
}

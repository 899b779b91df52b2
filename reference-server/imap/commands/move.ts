// MOVE (and UID MOVE): copy (durable), then expunge the originals, all under
// one hold on the user's names so that no RENAME comes in between. If the
// expunge fails the copies are taken back: a NO leaves the messages where they
// were and nothing in the destination. The COPYUID goes in an untagged OK
// before the EXPUNGE responses, as RFC 6851 §4.3 asks.
// Standards: RFC 6851 §3, §4.3, RFC 4315.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { storeFailure } from "../mailbox/store-errors.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal, untagged } from "../vocabulary.ts";
import { copyMessages } from "./copy.ts";

export const move: CommandRow<ImapSession, ImapState> = {
  verb: "MOVE",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runMove(s, command, r, false);
  },
};

export async function runMove(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const view = s.view!;
  if (view.readOnly) throw new Refusal("READ-ONLY", "mailbox is read-only, messages cannot be moved out");
  const { code, positions } = await s.context.store.withStableNames(s.user!, async () => {
    const copied = await copyMessages(s, r, byUid, false);
    if (copied.positions.length === 0) return copied;
    try {
      await view.mailbox.expunge(copied.positions.map((i) => view.messages[i]!.uid));
    } catch (error) {
      await copied.target.expunge(copied.uids).catch(() => undefined);
      throw storeFailure(s, error);
    }
    return copied;
  });
  if (code) untagged(s, `OK [${code}] moved`);
  if (positions.length > 0) view.removeAnnounced(s, positions);
  await complete(s, command, "move completed");
}

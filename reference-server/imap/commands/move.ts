// MOVE (and UID MOVE): copy, then expunge the originals. The COPYUID goes in an
// untagged OK before the EXPUNGE responses, as RFC 6851 §4.3 asks.
// Standards: RFC 6851 §3, §4.3, RFC 4315.

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ArgReader } from "../grammar/reader.ts";
import { viaStore } from "../mailbox/store-errors.ts";
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
  const { code, positions } = await copyMessages(s, r, byUid);
  if (code) untagged(s, `OK [${code}] moved`);
  if (positions.length > 0) {
    await viaStore(s, () => view.mailbox.expunge(positions.map((i) => view.messages[i]!.uid)));
    view.removeAnnounced(s, positions);
  }
  await complete(s, command, "move completed");
}

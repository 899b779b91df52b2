// SELECT and EXAMINE: leave the current mailbox (without expunging), open the
// named one, and describe it — FLAGS, EXISTS, RECENT, the first UNSEEN,
// PERMANENTFLAGS, UIDVALIDITY, UIDNEXT — ending with READ-WRITE or READ-ONLY.
// If opening fails the session is left in the authenticated state.
// Standards: RFC 3501 §6.3.1, §6.3.2, §7.1 (response codes), §7.3.1-7.3.2.

import type { Command } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ImapSession } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";
import { viaStore } from "./store-errors.ts";
import { MailboxView } from "./view.ts";

export async function selectMailbox(s: ImapSession, command: Command, readOnly: boolean): Promise<void> {
  const r = argsOf(command);
  r.sp();
  const name = r.mailbox();
  r.end();
  s.view?.close();
  s.view = null;
  s.state = "authenticated";
  const mailbox = await viaStore(s, () => s.context.store.mailbox(s.user!, name));
  const view = await MailboxView.open(s, mailbox, name, readOnly);
  untagged(s, `FLAGS (${view.definedFlags().join(" ")})`);
  untagged(s, `${view.exists} EXISTS`);
  untagged(s, `${view.recentCount} RECENT`);
  const firstUnseen = view.messages.findIndex((m) => !m.flags.includes("\\Seen"));
  if (firstUnseen !== -1) untagged(s, `OK [UNSEEN ${firstUnseen + 1}] first unseen message`);
  const permanent = readOnly ? "" : `${view.definedFlags().join(" ")} \\*`;
  untagged(s, `OK [PERMANENTFLAGS (${permanent})] ${readOnly ? "no permanent flags in a read-only mailbox" : "flags the client can change"}`);
  untagged(s, `OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`);
  untagged(s, `OK [UIDNEXT ${view.uidNext}] predicted next UID`);
  s.view = view;
  s.state = "selected";
  await complete(s, command, `${command.verb} completed`, readOnly ? "READ-ONLY" : "READ-WRITE");
}

// SELECT and EXAMINE: leave the current mailbox (without expunging), open the
// named one, and describe it — FLAGS, EXISTS, RECENT, the first UNSEEN,
// PERMANENTFLAGS, UIDVALIDITY, UIDNEXT — ending with READ-WRITE or READ-ONLY.
// If opening fails the session is left in the authenticated state. With
// CONDSTORE enabled it adds HIGHESTMODSEQ; with QRESYNC parameters it sends
// what changed since the client's mod-sequence (VANISHED (EARLIER), FETCH).
// Standards: RFC 3501 §6.3.1, §6.3.2, §7.1 (response codes), §7.3.1-7.3.2,
// RFC 7162 §3.1.2.1, §3.1.8 (CONDSTORE parameter), §3.2.5 (QRESYNC parameter), §3.2.11 ([CLOSED]),
// RFC 9051 §6.3.2 (LIST, no RECENT after ENABLE IMAP4rev2).

import type { Command } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { formatUidSet, inSet } from "../grammar/sequence-set.ts";
import type { ImapSession } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";
import { viaStore } from "./store-errors.ts";
import { knownThrough, readSelectParams, uidsNamed } from "./modseq-args.ts";
import { MailboxView } from "./view.ts";
import { mailboxId } from "./mailbox-id.ts";
import { selectedMailboxList } from "../commands/list.ts";

export async function selectMailbox(s: ImapSession, command: Command, readOnly: boolean): Promise<void> {
  const r = argsOf(command);
  r.sp();
  const name = r.mailbox();
  const params = readSelectParams(r, s);
  // RFC 7162 §3.1: SELECT (CONDSTORE) is a CONDSTORE enabling command; QRESYNC implies it.
  if (params.condstore) s.enabled.add("CONDSTORE");
  if (s.view) {
    s.view.close();
    // RFC 7162 §3.2.11: the boundary between the old mailbox's responses and the new one's.
    untagged(s, "OK [CLOSED] previous mailbox closed");
  }
  s.view = null;
  s.state = "authenticated";
  const mailbox = await viaStore(s, () => s.context.store.mailbox(s.user!, name));
  const view = await MailboxView.open(s, mailbox, name, readOnly, s.enabled);
  untagged(s, `FLAGS (${view.definedFlags().join(" ")})`);
  untagged(s, `${view.exists} EXISTS`);
  // RFC 9051 Appendix E item 12: RECENT is deprecated; an IMAP4rev2 session is not told it.
  if (!view.rev2) untagged(s, `${view.recentCount} RECENT`);
  const firstUnseen = view.messages.findIndex((m) => !m.flags.includes("\\Seen"));
  if (firstUnseen !== -1) untagged(s, `OK [UNSEEN ${firstUnseen + 1}] first unseen message`);
  const permanent = readOnly ? "" : `${view.definedFlags().join(" ")} \\*`;
  untagged(s, `OK [PERMANENTFLAGS (${permanent})] ${readOnly ? "no permanent flags in a read-only mailbox" : "flags the client can change"}`);
  untagged(s, `OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`);
  untagged(s, `OK [UIDNEXT ${view.uidNext}] predicted next UID`);
  // RFC 8474 §4.2: the MAILBOXID on every successful SELECT and EXAMINE.
  const id = await mailboxId(s, name);
  if (id !== null) untagged(s, `OK [MAILBOXID (${id})] mailbox id`);
  // RFC 9051 §6.3.2: SELECT and EXAMINE return a LIST response with the mailbox name.
  if (view.rev2) untagged(s, await selectedMailboxList(s, name));
  if (view.condstore) untagged(s, `OK [HIGHESTMODSEQ ${view.highestModseq}] highest mod-sequence`);
  // RFC 7162 §3.2.5.1: only for the UIDVALIDITY the client knows; otherwise it must start afresh.
  const known = params.qresync;
  if (known && known.uidValidity === view.uidValidity) {
    // seq-match-data: expunges below a pair that still matches are known to the client already.
    const through = knownThrough(known.seqMatch, (seq) => view.messages[seq - 1]?.uid);
    const candidates = [...uidsNamed(known.knownUids, view.uidNext)].filter((uid) => uid > through);
    const vanished = (await viaStore(s, async () => view.mailbox.vanishedSince?.(known.modseq, candidates))) ?? [];
    if (vanished.length > 0) untagged(s, `VANISHED (EARLIER) ${formatUidSet(vanished)}`);
    view.messages.forEach((m, i) => {
      const listed = known.knownUids === null || inSet(known.knownUids, m.uid, 0);
      if (m.modseq > known.modseq && listed) untagged(s, view.flagUpdate(i, m, { uid: true }));
    });
  }
  s.view = view;
  s.state = "selected";
  await complete(s, command, `${command.verb} completed`, readOnly ? "READ-ONLY" : "READ-WRITE");
}

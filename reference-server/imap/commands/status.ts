// STATUS mailbox (items): counts without selecting. RECENT is counted without
// taking \Recent away from anyone. SIZE is the sum of the messages' sizes.
// LIST ... RETURN (STATUS (items)) reads the same items through statusLine.
// Standards: RFC 3501 §6.3.10, §7.2.4, RFC 7889 §3 (APPENDLIMIT item), RFC 8438 §2 (SIZE), RFC 5819 §2,
// RFC 8474 §4.3 (MAILBOXID), RFC 9051 §6.3.11 (DELETED), RFC 9208 §4.1.4 (DELETED-STORAGE), RFC 7162 §3.1.7 (HIGHESTMODSEQ).

import type { CommandRow } from "../../core/command-table.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { argsOf } from "../grammar/command-args.ts";
import { takeRecent } from "../mailbox/recent.ts";
import { mailboxId } from "../mailbox/mailbox-id.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";
import { mailboxName } from "../mailbox/mailbox-name.ts";

const ITEMS = new Set(["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "APPENDLIMIT", "SIZE", "MAILBOXID", "DELETED-STORAGE", "HIGHESTMODSEQ"]);

export const status: CommandRow<ImapSession, ImapState> = {
  verb: "STATUS",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const name = r.mailbox();
    r.sp();
    const items = readStatusItems(r);
    r.end();
    // RFC 7162 §3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
    if (items.includes("HIGHESTMODSEQ")) s.enabled.add("CONDSTORE");
    untagged(s, await statusLine(s, name, items));
    await complete(s, command, "status completed");
  },
};

/** "(" status-att *(SP status-att) ")" */
export function readStatusItems(r: ArgReader): string[] {
  r.expect("(", "a list of status items");
  const items: string[] = [];
  for (;;) {
    const item = r.atom("a status item").toUpperCase();
    if (!ITEMS.has(item)) syntax(`unknown status item ${item.slice(0, 30)}`);
    items.push(item);
    if (r.accept(")")) return items;
    r.sp();
  }
}

/** The STATUS response for one mailbox, without "* "; a store failure (no such mailbox) throws as for STATUS. */
export async function statusLine(s: ImapSession, name: string, items: readonly string[]): Promise<string> {
  const mailbox = await viaStore(s, () => s.context.store.mailbox(s.user!, name));
  const st = await viaStore(s, () => mailbox.status());
  const values: Record<string, number | string> = {
    MESSAGES: st.messages.length,
    RECENT: takeRecent(mailbox, st.messages.map((m) => m.uid), false).size,
    UIDNEXT: st.uidNext,
    UIDVALIDITY: st.uidValidity,
    UNSEEN: st.messages.filter((m) => !m.flags.includes("\\Seen")).length,
    // RFC 9051 §6.3.11: "The number of messages that have the \Deleted flag set."
    DELETED: st.messages.filter((m) => m.flags.includes("\\Deleted")).length,
    APPENDLIMIT: s.context.config.imap.maxAppendOctets,
    // RFC 8438 §2: at least the sum of the messages' RFC822.SIZE; here exactly that.
    SIZE: st.messages.reduce((sum, m) => sum + m.size, 0),
    // RFC 9208 §4.1.4: what EXPUNGE would free; a Maildir message is its own file, so exactly their sizes.
    "DELETED-STORAGE": st.messages.reduce((sum, m) => sum + (m.flags.includes("\\Deleted") ? m.size : 0), 0),
    // RFC 7162 §3.1.7: a store without persistent mod-sequences answers 0.
    HIGHESTMODSEQ: st.highestModseq ?? 0,
  };
  // RFC 8474 §4.3: status-att-val =/ "MAILBOXID" SP "(" objectid ")"
  if (items.includes("MAILBOXID")) {
    const id = await mailboxId(s, name);
    if (id === null) syntax("this server keeps no MAILBOXID");
    values.MAILBOXID = `(${id})`;
  }
  return `STATUS ${mailboxName(name, s.enabled)} (${items.map((i) => `${i} ${values[i]}`).join(" ")})`;
}

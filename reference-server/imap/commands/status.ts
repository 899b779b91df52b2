// STATUS mailbox (items): counts without selecting. RECENT is counted without
// taking \Recent away from anyone.
// Standards: RFC 3501 §6.3.10, §7.2.4, RFC 7889 §3 (APPENDLIMIT item).

import type { CommandRow } from "../../core/command-table.ts";
import { syntax } from "../grammar/reader.ts";
import { argsOf } from "../grammar/command-args.ts";
import { takeRecent } from "../mailbox/recent.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";
import { mailboxName } from "./list.ts";

const ITEMS = new Set(["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "APPENDLIMIT"]);

export const status: CommandRow<ImapSession, ImapState> = {
  verb: "STATUS",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const name = r.mailbox();
    r.sp();
    r.expect("(", "a list of status items");
    const items: string[] = [];
    for (;;) {
      const item = r.atom("a status item").toUpperCase();
      if (!ITEMS.has(item)) syntax(`unknown status item ${item.slice(0, 30)}`);
      items.push(item);
      if (r.accept(")")) break;
      r.sp();
    }
    r.end();
    const mailbox = await viaStore(s, () => s.context.store.mailbox(s.user!, name));
    const st = await viaStore(s, () => mailbox.status());
    const values: Record<string, number> = {
      MESSAGES: st.messages.length,
      RECENT: takeRecent(mailbox, st.messages.map((m) => m.uid), false).size,
      UIDNEXT: st.uidNext,
      UIDVALIDITY: st.uidValidity,
      UNSEEN: st.messages.filter((m) => !m.flags.includes("\\Seen")).length,
      APPENDLIMIT: s.context.config.imap.maxAppendOctets,
    };
    untagged(s, `STATUS ${mailboxName(name)} (${items.map((i) => `${i} ${values[i]}`).join(" ")})`);
    await complete(s, command, "status completed");
  },
};

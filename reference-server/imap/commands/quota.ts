// GETQUOTAROOT mailbox and GETQUOTA root: every user has one quota root, ""
// (Dovecot and Cyrus name theirs too; a root name is opaque to clients),
// holding all of the user's mailboxes. Its QUOTA response lists the limited
// resources with their usage; with no limit configured the list is empty,
// which says nothing is limited. SETQUOTA is not implemented (limits come
// from the server config), so QUOTASET is not advertised and SETQUOTA is an
// unknown command.
// Standards: RFC 9208 §4.1.1, §4.1.2, §4.2.1, §4.2.2, §3.2, §1 (QUOTASET).

import type { CommandRow } from "../../core/command-table.ts";
import { quotaResources, quotaUsage } from "../../store/quota.ts";
import { argsOf, mailboxOnly } from "../grammar/command-args.ts";
import { mailboxName } from "../mailbox/mailbox-name.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { str } from "../value.ts";
import { encodeValue } from "../writer.ts";
import { complete, Refusal, untagged } from "../vocabulary.ts";

/** The one quota root of every user. */
const USER_ROOT = "";

export const getquotaroot: CommandRow<ImapSession, ImapState> = {
  verb: "GETQUOTAROOT",
  states: AUTHENTICATED,
  async handle(s, command) {
    const name = mailboxOnly(command);
    // The mailbox must exist: a root for a name that is no mailbox would be made up.
    await viaStore(s, () => s.context.store.mailbox(s.user!, name).then((m) => m.status()));
    untagged(s, `QUOTAROOT ${mailboxName(name, s.enabled)} ${encodeValue(str(USER_ROOT))}`);
    untagged(s, await quotaLine(s));
    await complete(s, command, "getquotaroot completed");
  },
};

export const getquota: CommandRow<ImapSession, ImapState> = {
  verb: "GETQUOTA",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const root = r.astringText("a quota root");
    r.end();
    if (root !== USER_ROOT) throw new Refusal("NONEXISTENT", "no such quota root");
    untagged(s, await quotaLine(s));
    await complete(s, command, "getquota completed");
  },
};

/** quota-response = "QUOTA" SP quota-root-name SP quota-list (RFC 9208 §7). */
async function quotaLine(s: ImapSession): Promise<string> {
  const limits = s.context.config.imap.quota;
  const usage = await viaStore(s, () => quotaUsage(s.context.store, s.user!));
  const list = quotaResources(limits, usage).map((r) => `${r.name} ${r.usage} ${r.limit}`);
  return `QUOTA ${encodeValue(str(USER_ROOT))} (${list.join(" ")})`;
}

// GETQUOTAROOT mailbox and GETQUOTA root: every user has one quota root, ""
// (Dovecot and Cyrus name theirs too; a root name is opaque to clients),
// holding all of the user's mailboxes. Its QUOTA response lists the limited
// resources with their usage; with no limit configured the list is empty,
// which says nothing is limited. SETQUOTA (QUOTASET) lets the user set the
// limits of that root, within the configured ones: a user may lower a limit
// or lift one it set, never raise one above the configuration's nor leave a
// configured resource unlimited (the administrator's limits stay a ceiling).
// Standards: RFC 9208 §4.1.1, §4.1.2, §4.1.3, §4.2.1, §4.2.2, §3.2, §7 (setquota).

import type { CommandRow } from "../../core/command-table.ts";
import { effectiveLimits, quotaResources, quotaUsage, setQuotaLimits, type QuotaLimits } from "../../store/quota.ts";
import { argsOf, mailboxOnly } from "../grammar/command-args.ts";
import { mailboxName } from "../mailbox/mailbox-name.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { syntax } from "../grammar/reader.ts";
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

/**
 * setquota = "SETQUOTA" SP quota-root-name SP setquota-list
 * setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
 * setquota-resource = resource-name SP resource-limit (RFC 9208 §7).
 * The new limits replace every previous one of the root (§4.1.3), and the QUOTA response shows them.
 */
export const setquota: CommandRow<ImapSession, ImapState> = {
  verb: "SETQUOTA",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const root = r.astringText("a quota root");
    r.sp();
    r.expect("(", "a list of resource limits");
    const requested = new Map<string, number>();
    while (!r.accept(")")) {
      if (requested.size > 0) r.sp();
      const name = r.atom("a resource name").toUpperCase();
      r.sp();
      // resource-limit = number64: up to 2^63-1; past what a count of octets or messages can mean here, refused below.
      const digits = r.run((c) => c >= 0x30 && c <= 0x39, "a resource limit");
      if (digits.length > 19) syntax("a resource limit is a number64");
      if (requested.has(name)) syntax(`${name} is given twice`);
      requested.set(name, Number(digits));
    }
    r.end();
    if (root !== USER_ROOT) throw new Refusal("NONEXISTENT", "no such quota root");
    const wanted: QuotaLimits = { storageKiB: requested.get("STORAGE") ?? null, messages: requested.get("MESSAGE") ?? null };
    const unknown = [...requested.keys()].find((name) => name !== "STORAGE" && name !== "MESSAGE");
    if (unknown !== undefined) throw new Refusal(null, `setquota error: can't set that data (${unknown} is not a resource of this server)`);
    const ceiling = s.context.config.imap.quota;
    for (const [resource, key] of [["STORAGE", "storageKiB"], ["MESSAGE", "messages"]] as const) {
      const limit = wanted[key];
      if (limit !== null && !Number.isSafeInteger(limit)) throw new Refusal(null, `setquota error: can't set that data (${resource} limit too large)`);
      const most = ceiling[key];
      if (most !== null && (limit === null || limit > most)) {
        throw new Refusal(null, `setquota error: can't set that data (${resource} is limited to ${most} by the server's configuration)`);
      }
    }
    setQuotaLimits(s.context.store, s.user!, wanted);
    untagged(s, await quotaLine(s));
    await complete(s, command, "setquota completed");
  },
};

/** The limits of the user's root: those set with SETQUOTA, else the configured ones. */
export function quotaLimits(s: ImapSession): QuotaLimits {
  return effectiveLimits(s.context.store, s.user!, s.context.config.imap.quota);
}

/** quota-response = "QUOTA" SP quota-root-name SP quota-list (RFC 9208 §7). */
async function quotaLine(s: ImapSession): Promise<string> {
  const limits = quotaLimits(s);
  const usage = await viaStore(s, () => quotaUsage(s.context.store, s.user!));
  const list = quotaResources(limits, usage).map((r) => `${r.name} ${r.usage} ${r.limit}`);
  return `QUOTA ${encodeValue(str(USER_ROOT))} (${list.join(" ")})`;
}

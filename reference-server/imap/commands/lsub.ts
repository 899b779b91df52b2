// LSUB reference mailbox-pattern: the subscribed names that match; a
// subscribed name that no longer exists is listed \Noselect, and so is an
// unsubscribed parent that "%" reaches while its subscribed child lies deeper.
// Standards: RFC 3501 §6.3.9 (the "%" special case), §7.2.3.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { delimiter, folders } from "../mailbox/folders.ts";
import { patternMatcher } from "../mailbox/list-match.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { encodeValue } from "../writer.ts";
import { str } from "../value.ts";
import { complete, untagged } from "../vocabulary.ts";
import { mailboxName } from "../mailbox/mailbox-name.ts";

export const lsub: CommandRow<ImapSession, ImapState> = {
  verb: "LSUB",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const reference = r.mailboxReference();
    r.sp();
    const pattern = r.listMailbox();
    r.end();
    const d = delimiter(s);
    const f = folders(s);
    const [subscribed, existing] = await viaStore(s, () => Promise.all([f.listSubscriptions(s.user!), f.listMailboxes(s.user!)]));
    const exists = new Set(existing);
    const isSubscribed = new Set(subscribed);
    const matches = patternMatcher(reference + pattern, d);
    const out = new Map<string, string>();
    for (const name of subscribed) {
      if (matches(name)) {
        out.set(name, exists.has(name) ? "" : "\\Noselect");
        continue;
      }
      const levels = name.split(d);
      for (let i = levels.length - 1; i >= 1; i--) {
        const parent = levels.slice(0, i).join(d);
        if (!isSubscribed.has(parent) && matches(parent)) {
          out.set(parent, "\\Noselect");
          break;
        }
      }
    }
    for (const [name, attributes] of [...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      untagged(s, `LSUB (${attributes}) ${encodeValue(str(d))} ${mailboxName(name, s.enabled)}`);
    }
    await complete(s, command, "lsub completed");
  },
};

// LIST [(selection)] reference pattern-or-(patterns) [RETURN (options)]: the
// matching mailboxes with their attributes (\HasChildren / \HasNoChildren,
// \Noselect for hierarchy-only levels, special-use, \Subscribed), the
// delimiter, and the name in modified UTF-7. An empty pattern asks for the
// delimiter. The extended forms are RFC 5258's: selection SUBSCRIBED, REMOTE,
// RECURSIVEMATCH, SPECIAL-USE; return SUBSCRIBED, CHILDREN, SPECIAL-USE.
// Standards: RFC 3501 §6.3.8, §7.2.2, RFC 5258 §3-§6, RFC 3348, RFC 6154 §2 and §5.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { encodeMutf7 } from "../grammar/mutf7.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { delimiter, folders } from "../mailbox/folders.ts";
import { hierarchy, patternMatcher } from "../mailbox/list-match.ts";
import { SPECIAL_USE } from "../mailbox/special-use.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { encodeValue } from "../writer.ts";
import { str } from "../value.ts";
import { complete, untagged } from "../vocabulary.ts";

const SELECTION = new Set(["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]);
const RETURN = new Set(["SUBSCRIBED", "CHILDREN", "SPECIAL-USE"]);

function options(r: ArgReader, allowed: ReadonlySet<string>, what: string): Set<string> {
  r.expect("(", `a list of ${what}`);
  const found = new Set<string>();
  if (r.accept(")")) return found;
  for (;;) {
    const option = r.atom(`a ${what}`).toUpperCase();
    if (!allowed.has(option)) syntax(`unknown ${what} ${option.slice(0, 30)}`);
    found.add(option);
    if (r.accept(")")) return found;
    r.sp();
  }
}

export const list: CommandRow<ImapSession, ImapState> = {
  verb: "LIST",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const hasSelection = r.peek() === 0x28;
    const selection = hasSelection ? options(r, SELECTION, "selection option") : new Set<string>();
    if (hasSelection) r.sp();
    // RFC 5258 §3.1: RECURSIVEMATCH alone, or with only REMOTE, is a syntax error.
    if (selection.has("RECURSIVEMATCH") && !selection.has("SUBSCRIBED") && !selection.has("SPECIAL-USE")) {
      syntax("RECURSIVEMATCH needs another selection option");
    }
    const reference = r.mailboxReference();
    r.sp();
    const patterns: string[] = [];
    if (r.accept("(")) {
      do patterns.push(r.listMailbox());
      while (r.accept(" "));
      r.expect(")", '")" after the patterns');
    } else {
      patterns.push(r.listMailbox());
    }
    let returns = new Set<string>();
    if (r.accept(" ")) {
      if (!r.peekWord("RETURN")) syntax("expected RETURN");
      r.pos += 6;
      r.sp();
      returns = options(r, RETURN, "return option");
    }
    r.end();

    const d = delimiter(s);
    if (patterns.length === 1 && patterns[0] === "" && selection.size === 0) {
      untagged(s, `LIST (\\Noselect) ${encodeValue(str(d))} ""`);
      await complete(s, command, "list completed");
      return;
    }
    const f = folders(s);
    const [names, subscriptions] = await viaStore(s, () => Promise.all([f.listMailboxes(s.user!), f.listSubscriptions(s.user!)]));
    const subscribed = new Set(subscriptions);
    const matchers = patterns.filter((p) => p !== "").map((p) => patternMatcher(reference + p, d));
    const matches = (name: string) => matchers.some((m) => m(name));
    const entries = hierarchy(names, d);
    const known = new Set(entries.map((e) => e.name));
    if (selection.has("SUBSCRIBED")) {
      for (const name of subscriptions) if (!known.has(name)) entries.push({ name, exists: false, hasChildren: false, nonexistent: true });
      entries.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    const showSubscribed = selection.has("SUBSCRIBED") || returns.has("SUBSCRIBED");
    const existing = new Set(names);
    const specialOf = (name: string) => (existing.has(name) ? SPECIAL_USE.get(name) : undefined);
    // Whether this response lists a subscribed mailbox in its own right.
    const listed = (name: string) => matches(name) && (!selection.has("SPECIAL-USE") || specialOf(name) !== undefined);
    for (const entry of entries) {
      const special = specialOf(entry.name);
      let childInfo = false;
      if (selection.has("SUBSCRIBED") && !subscribed.has(entry.name)) {
        if (!selection.has("RECURSIVEMATCH")) continue;
        // RFC 5258 §3.5: CHILDINFO tells of a subscribed descendant the client
        // would not see otherwise; one the same response lists (a "*" pattern)
        // needs no parent line, and Dovecot sends none.
        childInfo = subscriptions.some((sub) => sub.startsWith(entry.name + d) && !listed(sub));
        if (!childInfo) continue;
      }
      if (selection.has("SPECIAL-USE") && !special) continue;
      if (!matches(entry.name)) continue;
      const attributes: string[] = [];
      if (entry.nonexistent) attributes.push("\\NonExistent");
      else if (!entry.exists) attributes.push("\\Noselect");
      if (!entry.nonexistent) attributes.push(entry.hasChildren ? "\\HasChildren" : "\\HasNoChildren");
      if (showSubscribed && subscribed.has(entry.name)) attributes.push("\\Subscribed");
      if (special) attributes.push(special);
      const extended = childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : "";
      untagged(s, `LIST (${attributes.join(" ")}) ${encodeValue(str(d))} ${mailboxName(entry.name)}${extended}`);
    }
    await complete(s, command, "list completed");
  },
};

/** A mailbox name as responses carry it: modified UTF-7, quoted. */
export function mailboxName(name: string): string {
  return encodeValue(str(encodeMutf7(name))) as string;
}

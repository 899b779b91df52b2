// LIST [(selection)] reference pattern-or-(patterns) [RETURN (options)]: the
// matching mailboxes with their attributes (\HasChildren / \HasNoChildren,
// \Noselect for hierarchy-only levels, special-use, \Subscribed), the
// delimiter, and the name in modified UTF-7. An empty pattern asks for the
// delimiter. The extended forms are RFC 5258's: selection SUBSCRIBED, REMOTE,
// RECURSIVEMATCH, SPECIAL-USE; return SUBSCRIBED, CHILDREN, SPECIAL-USE, and
// STATUS (items), which adds each selectable mailbox's STATUS after its LIST.
// Standards: RFC 3501 §6.3.8, §7.2.2, RFC 5258 §3-§6, RFC 3348, RFC 6154 §2 and §5, RFC 5819 §2.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { mailboxName } from "../mailbox/mailbox-name.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { delimiter, folders, foldersOf } from "../mailbox/folders.ts";
import { hierarchy, patternMatcher } from "../mailbox/list-match.ts";
import { SPECIAL_USE } from "../mailbox/special-use.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { encodeValue } from "../writer.ts";
import { str } from "../value.ts";
import { complete, untagged } from "../vocabulary.ts";
import { readStatusItems, statusLine } from "./status.ts";
import type { HierarchyDelimiter } from "../../store/names.ts";
import { storedSpecialUse } from "../../store/special-use-attrs.ts";

const SELECTION = new Set(["SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"]);
const RETURN = new Set(["SUBSCRIBED", "CHILDREN", "SPECIAL-USE", "STATUS"]);

function options(r: ArgReader, allowed: ReadonlySet<string>, what: string, statusItems?: string[]): Set<string> {
  r.expect("(", `a list of ${what}`);
  const found = new Set<string>();
  if (r.accept(")")) return found;
  for (;;) {
    const option = r.atom(`a ${what}`).toUpperCase();
    if (!allowed.has(option)) syntax(`unknown ${what} ${option.slice(0, 30)}`);
    // RFC 5819 §2: return-option =/ "STATUS" SP "(" status-att *(SP status-att) ")"
    if (option === "STATUS" && statusItems) {
      if (found.has("STATUS")) syntax("STATUS given twice");
      r.sp();
      statusItems.push(...readStatusItems(r));
    }
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
    const statusItems: string[] = [];
    if (r.accept(" ")) {
      if (!r.peekWord("RETURN")) syntax("expected RETURN");
      r.pos += 6;
      r.sp();
      returns = options(r, RETURN, "return option", statusItems);
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
    const given = await givenSpecialUse(s, names);
    const specialOf = (name: string) => (existing.has(name) ? specialUseText(SPECIAL_USE.get(name), given.get(name)) : undefined);
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
      untagged(s, `LIST (${attributes.join(" ")}) ${encodeValue(str(d))} ${mailboxName(entry.name, s.enabled)}${extended}`);
      // RFC 5819 §2: a STATUS response after each selectable mailbox's LIST response, none for \Noselect or \NonExistent.
      if (returns.has("STATUS") && entry.exists && !entry.nonexistent) untagged(s, await statusLine(s, entry.name, statusItems));
    }
    await complete(s, command, "list completed");
  },
};

/** The attributes CREATE ... (USE (...)) gave each mailbox (RFC 6154 §3), read from the store. */
async function givenSpecialUse(s: ImapSession, names: readonly string[]): Promise<Map<string, string[]>> {
  const f = folders(s);
  const found = new Map<string, string[]>();
  await viaStore(s, () =>
    Promise.all(
      names.map(async (name) => {
        const attributes = await storedSpecialUse(f.root, s.user!, name, f.hierarchyDelimiter as HierarchyDelimiter);
        if (attributes.length > 0) found.set(name, attributes);
      }),
    ),
  );
  return found;
}

/** The special-use attributes of one mailbox as LIST writes them, or undefined when it has none. */
function specialUseText(byName: string | undefined, given: readonly string[] | undefined): string | undefined {
  const all = [...new Set([...(byName ? [byName] : []), ...(given ?? [])])];
  return all.length > 0 ? all.join(" ") : undefined;
}


/**
 * The LIST response SELECT and EXAMINE send in IMAP4rev2 (RFC 9051 §6.3.2: "The server MUST return
 * a LIST response with the mailbox name. The list of mailbox attributes MUST be accurate."): the
 * attributes a plain LIST gives the mailbox. A store without hierarchy has no children to tell of.
 */
export async function selectedMailboxList(s: ImapSession, name: string): Promise<string> {
  const d = delimiter(s);
  const f = foldersOf(s.context.store);
  const names = f ? await viaStore(s, () => f.listMailboxes(s.user!)) : [];
  const attributes = [d !== "" && names.some((other) => other.startsWith(name + d)) ? "\\HasChildren" : "\\HasNoChildren"];
  const special = specialUseText(SPECIAL_USE.get(name), f ? (await givenSpecialUse(s, [name])).get(name) : undefined);
  if (special) attributes.push(special);
  return `LIST (${attributes.join(" ")}) ${encodeValue(str(d))} ${mailboxName(name, s.enabled)}`;
}

// What a searching command (SEARCH, SORT; UID variants) returns besides the
// classic SEARCH / SORT response: the ESEARCH result options MIN, MAX, ALL
// and COUNT in one ESEARCH response, and SAVE, which keeps the found
// messages as the "$" the next commands may name. The saved result is kept
// as UIDs per open mailbox view, so an expunged message drops out of it on
// its own and a new SELECT / EXAMINE (a new view) starts empty.
// Standards: RFC 4466 §2.6 (search-return-opts, ESEARCH response), RFC 4731 §3.1 (MIN, MAX, ALL, COUNT),
// RFC 4731 §3.2 (MODSEQ with CONDSTORE), RFC 5182 §2.1, §2.4 (SAVE, "$"), RFC 5267 §3.1 (the same options on SORT, in sort order).

import { syntax, type ArgReader } from "../grammar/reader.ts";
import { formatUidSet, type SequenceSet } from "../grammar/sequence-set.ts";
import type { MailboxView } from "../mailbox/view.ts";
import type { ImapSession } from "../states.ts";
import { untagged } from "../vocabulary.ts";

export interface ReturnOptions {
  min: boolean;
  max: boolean;
  all: boolean;
  count: boolean;
  save: boolean;
}

const OPTION_NAMES = ["MIN", "MAX", "ALL", "COUNT", "SAVE"] as const;

/**
 * search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")", read
 * after the verb's SP and followed by SP; null when the command has none. An empty list means ALL
 * (RFC 4731 §3.1: 'This is equivalent to "(ALL)"'); an option this server does not know is BAD.
 */
export function readReturnOptions(r: ArgReader): ReturnOptions | null {
  if (!r.peekWord("RETURN")) return null;
  r.pos += "RETURN".length;
  r.sp();
  r.expect("(", "a parenthesised list of return options");
  const options: ReturnOptions = { min: false, max: false, all: false, count: false, save: false };
  if (!r.accept(")")) {
    for (;;) {
      const name = r.atom("a return option").toUpperCase();
      if (!(OPTION_NAMES as readonly string[]).includes(name)) syntax(`unknown return option ${name.slice(0, 30)}`);
      options[name.toLowerCase() as keyof ReturnOptions] = true;
      if (r.accept(")")) break;
      r.sp();
    }
  } else {
    options.all = true;
  }
  r.sp();
  return options;
}

/** Whether the client asked for an ESEARCH response (SAVE alone suppresses every result response, RFC 5182 §1). */
function wantsEsearch(o: ReturnOptions): boolean {
  return o.min || o.max || o.all || o.count;
}

/**
 * Answer a searching command that had return options. `found` are the matching messages' positions
 * (0-based) in result order: ascending for SEARCH, the requested order for SORT, whose MIN and MAX
 * are then the first and the last sorted message (RFC 5267 §3.1).
 */
export function answerWithOptions(s: ImapSession, tag: string, options: ReturnOptions, found: readonly number[], byUid: boolean, withModseq = false): void {
  const view = s.view!;
  const ids = found.map((i) => (byUid ? view.messages[i]!.uid : i + 1));
  // With MIN and/or MAX alone the answer is about just those messages: "$" holds them (RFC 5182 §2.4),
  // and MODSEQ is theirs (RFC 4731 §3.2); with ALL or COUNT it is about every message found.
  const justEnds = !options.all && !options.count && (options.min || options.max);
  const named = justEnds ? [...new Set([options.min ? 0 : -1, options.max ? found.length - 1 : -1])].filter((k) => k >= 0 && k < found.length).map((k) => found[k]!) : found;
  if (options.save) saveResult(view, named.map((i) => view.messages[i]!.uid));
  if (!wantsEsearch(options)) return;
  const parts = [`ESEARCH (TAG "${tag}")`];
  if (byUid) parts.push("UID");
  // RFC 4731 §3.1: MIN, MAX and ALL are left out when nothing matched; COUNT is always there when asked for.
  if (options.min && ids.length > 0) parts.push(`MIN ${ids[0]}`);
  if (options.max && ids.length > 0) parts.push(`MAX ${ids[ids.length - 1]}`);
  if (options.count) parts.push(`COUNT ${ids.length}`);
  if (options.all && ids.length > 0) parts.push(`ALL ${formatUidSet(ids)}`);
  // RFC 4731 §3.2: a search with the MODSEQ key answers the highest mod-sequence of the messages returned.
  if (withModseq && named.length > 0) parts.push(`MODSEQ ${Math.max(...named.map((i) => view.messages[i]!.modseq))}`);
  untagged(s, parts.join(" "));
}

// The saved result of each open view, as UIDs ascending.
const savedResults = new WeakMap<MailboxView, readonly number[]>();

export function saveResult(view: MailboxView, uids: readonly number[]): void {
  savedResults.set(view, [...uids].sort((a, b) => a - b));
}

/**
 * "$" in a command that takes message numbers (byUid false) or UIDs: the saved messages still in
 * the view. Empty when nothing was saved since SELECT — a valid set that names no message
 * (RFC 5182 §2.1: "it must be treated ... as a valid, but non-matching list of messages").
 */
export function lastResult(view: MailboxView, byUid: boolean): () => SequenceSet {
  return () => {
    const uids = new Set(savedResults.get(view) ?? []);
    const ids: number[] = [];
    view.messages.forEach((m, i) => {
      if (uids.has(m.uid)) ids.push(byUid ? m.uid : i + 1);
    });
    return ids.map((n) => [n, n] as [number, number]);
  };
}

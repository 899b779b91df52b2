// SEARCH criteria into a tree: every key of RFC 3501 §6.4.4, OR, NOT,
// parenthesised groups to any sane depth, and message-number and UID sets.
// Strings are compared after decoding, so the charset must be one we decode:
// UTF-8 or US-ASCII; any other is NO [BADCHARSET].
// Standards: RFC 3501 §6.4.4, §9 (search, search-key), RFC 5530 ([BADCHARSET]), RFC 5182 §3 ("$"), RFC 8474 §6 (EMAILID, THREADID), RFC 6855 §3 (no CHARSET after ENABLE UTF8=ACCEPT).

import { readDate, type Day } from "../grammar/dates.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { readSequenceSet, type SequenceSet } from "../grammar/sequence-set.ts";
import { MAX_SEARCH_NESTING_LEVELS } from "../limits.ts";
import { readModseq } from "../mailbox/modseq-args.ts";
import { Refusal } from "../vocabulary.ts";

export type SearchKey =
  | { op: "all" }
  | { op: "and"; keys: SearchKey[] }
  | { op: "or"; a: SearchKey; b: SearchKey }
  | { op: "not"; key: SearchKey }
  | { op: "flag"; flag: string; set: boolean }
  | { op: "new" }
  | { op: "old" }
  | { op: "recent"; set: boolean }
  | { op: "header"; field: string; value: string }
  | { op: "address"; field: string; value: string }
  | { op: "body"; value: string }
  | { op: "text"; value: string }
  | { op: "internal"; cmp: "before" | "on" | "since"; day: Day }
  | { op: "sent"; cmp: "before" | "on" | "since"; day: Day }
  | { op: "size"; cmp: "larger" | "smaller"; n: number }
  | { op: "seq"; set: SequenceSet }
  | { op: "uid"; set: SequenceSet }
  | { op: "modseq"; modseq: number }
  | { op: "emailid"; id: string }
  | { op: "threadid"; id: string };

const SUPPORTED_CHARSETS = new Set(["UTF-8", "US-ASCII"]);

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ["\\Answered", true],
  DELETED: ["\\Deleted", true],
  DRAFT: ["\\Draft", true],
  FLAGGED: ["\\Flagged", true],
  SEEN: ["\\Seen", true],
  UNANSWERED: ["\\Answered", false],
  UNDELETED: ["\\Deleted", false],
  UNDRAFT: ["\\Draft", false],
  UNFLAGGED: ["\\Flagged", false],
  UNSEEN: ["\\Seen", false],
};

// RFC 3501 §6.4.4: FROM, TO, CC and BCC look in "the envelope structure's"
// field, not in the header text (so comments and folding never hide an address).
const ADDRESS_KEYS = new Set(["BCC", "CC", "FROM", "TO"]);

/** What the keys may refer to besides the mailbox: the saved search result ("$", RFC 5182 §3), where the server offers it. */
export interface SearchContext {
  lastResult?: (byUid: boolean) => SequenceSet;
  /** Set by the parser when a MODSEQ key was read: the response then carries (MODSEQ n) (RFC 7162 §3.1.6). */
  modseq?: boolean;
}

/** search = "SEARCH" [SP "CHARSET" SP astring] 1*(SP search-key) — called after the first SP. */
export function readSearch(r: ArgReader, ctx: SearchContext = {}): SearchKey {
  if (r.peekWord("CHARSET")) {
    // RFC 6855 §3: after ENABLE UTF8=ACCEPT a charset conflicts with the UTF-8 the strings are in: BAD.
    if (r.utf8Accept) syntax("no CHARSET after ENABLE UTF8=ACCEPT: search strings are UTF-8");
    r.pos += 7;
    r.sp();
    checkCharset(r.astringText("a charset"));
    r.sp();
  }
  return readSearchKeys(r, ctx);
}

/** A charset the strings can be decoded from, else NO [BADCHARSET] (RFC 5530 §3; RFC 5256 §3: US-ASCII and UTF-8 MUST be implemented). */
export function checkCharset(name: string): void {
  const charset = name.toUpperCase();
  if (!SUPPORTED_CHARSETS.has(charset)) throw new Refusal("BADCHARSET (UTF-8 US-ASCII)", `charset ${charset.slice(0, 40)} is not supported`);
}

/** 1*(SP search-key) after the first SP, to the end of the line (SEARCH, SORT and THREAD share it). */
export function readSearchKeys(r: ArgReader, ctx: SearchContext = {}): SearchKey {
  const keys = [readKey(r, 0, ctx)];
  while (r.accept(" ")) keys.push(readKey(r, 0, ctx));
  r.end();
  return keys.length === 1 ? keys[0]! : { op: "and", keys };
}

function text(r: ArgReader): string {
  r.sp();
  return r.astring("a search string").toString("utf8");
}

function readKey(r: ArgReader, depth: number, ctx: SearchContext): SearchKey {
  if (depth > MAX_SEARCH_NESTING_LEVELS) syntax(`search keys nested deeper than ${MAX_SEARCH_NESTING_LEVELS}`);
  if (r.accept("(")) {
    const keys = [readKey(r, depth + 1, ctx)];
    while (r.accept(" ")) keys.push(readKey(r, depth + 1, ctx));
    r.expect(")", '")" to close the search group');
    return keys.length === 1 ? keys[0]! : { op: "and", keys };
  }
  const c = r.peek();
  if ((c >= 0x31 && c <= 0x39) || c === 0x2a) return { op: "seq", set: readSequenceSet(r) };
  // "$" names the saved messages, whether saved as numbers or UIDs (RFC 5182 §2.2, Example 3).
  if (c === 0x24 && ctx.lastResult !== undefined) return { op: "uid", set: readSequenceSet(r, () => ctx.lastResult!(true)) };
  const word = r.atom("a search key").toUpperCase();
  const flag = FLAG_KEYS[word];
  if (flag) return { op: "flag", flag: flag[0], set: flag[1] };
  if (ADDRESS_KEYS.has(word)) return { op: "address", field: word, value: text(r) };
  switch (word) {
    case "ALL":
      return { op: "all" };
    case "NEW":
      return { op: "new" };
    case "OLD":
      return { op: "old" };
    case "RECENT":
      return { op: "recent", set: true };
    case "KEYWORD":
    case "UNKEYWORD": {
      r.sp();
      return { op: "flag", flag: r.atom("a keyword"), set: word === "KEYWORD" };
    }
    case "BEFORE":
    case "ON":
    case "SINCE":
      r.sp();
      return { op: "internal", cmp: word.toLowerCase() as "before", day: readDate(r) };
    case "SENTBEFORE":
    case "SENTON":
    case "SENTSINCE":
      r.sp();
      return { op: "sent", cmp: word.slice(4).toLowerCase() as "before", day: readDate(r) };
    case "LARGER":
    case "SMALLER":
      r.sp();
      return { op: "size", cmp: word.toLowerCase() as "larger", n: r.number("a size") };
    case "SUBJECT":
      return { op: "header", field: word, value: text(r) };
    case "BODY":
      return { op: "body", value: text(r) };
    case "TEXT":
      return { op: "text", value: text(r) };
    case "HEADER": {
      r.sp();
      const field = r.astringText("a header field name");
      return { op: "header", field, value: text(r) };
    }
    case "MODSEQ": {
      // RFC 7162 §3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer; we keep one
      // mod-sequence per message, so the entry (a flag's metadata item) narrows nothing.
      r.sp();
      if (r.peek() === 0x22) {
        r.quoted();
        r.sp();
        const type = r.atom("an entry type").toLowerCase();
        if (type !== "priv" && type !== "shared" && type !== "all") syntax("the entry type is priv, shared or all");
        r.sp();
      }
      ctx.modseq = true;
      return { op: "modseq", modseq: readModseq(r, true) };
    }
    case "EMAILID":
    case "THREADID": {
      // RFC 8474 §6: search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid; objectid = 1*255(ALPHA / DIGIT / "_" / "-").
      r.sp();
      const id = r.atom("an object id");
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) syntax("an object id is 1 to 255 letters, digits, '_' or '-'");
      return word === "EMAILID" ? { op: "emailid", id } : { op: "threadid", id };
    }
    case "UID": {
      r.sp();
      const lastResult = ctx.lastResult;
      return { op: "uid", set: readSequenceSet(r, lastResult && (() => lastResult(true))) };
    }
    case "NOT":
      r.sp();
      return { op: "not", key: readKey(r, depth + 1, ctx) };
    case "OR": {
      r.sp();
      const a = readKey(r, depth + 1, ctx);
      r.sp();
      return { op: "or", a, b: readKey(r, depth + 1, ctx) };
    }
    default:
      syntax(`unknown search key ${word.slice(0, 30)}`);
  }
}

/** Whether evaluating the key needs the message's bytes. */
export function needsMessage(key: SearchKey): boolean {
  switch (key.op) {
    case "header":
    case "address":
    case "body":
    case "text":
    case "sent":
    case "emailid":
      return true;
    case "and":
      return key.keys.some(needsMessage);
    case "or":
      return needsMessage(key.a) || needsMessage(key.b);
    case "not":
      return needsMessage(key.key);
    default:
      return false;
  }
}

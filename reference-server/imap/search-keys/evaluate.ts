// Decides whether one message matches a search tree. Strings match as
// case-insensitive substrings of the decoded text; dates compare by day,
// ignoring time and zone; the message is parsed only if a key needs it.
// Standards: RFC 3501 §6.4.4 ("substring", "disregarding time and timezone", FROM/TO/CC/BCC on the envelope), §2.3.2 (NEW, OLD), RFC 8474 §6.

import { dayOfDate, localOffsetMinutes, writtenDay } from "../grammar/dates.ts";
import { inSet } from "../grammar/sequence-set.ts";
import type { MessageView } from "../fetch-items/message-view.ts";
import type { ViewMessage } from "../mailbox/view.ts";
import type { SearchKey } from "./parse.ts";
import { emailObjectId } from "../../store/object-ids.ts";

export interface Candidate {
  seq: number;
  message: ViewMessage;
  /** Highest message number and UID in the mailbox: what "*" stands for. */
  maxSeq: number;
  maxUid: number;
  load(): Promise<MessageView | null>;
}

function has(m: ViewMessage, flag: string): boolean {
  const upper = flag.toUpperCase();
  return m.flags.some((f) => f.toUpperCase() === upper);
}

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

function compareDay(cmp: "before" | "on" | "since", day: number, target: number): boolean {
  return cmp === "before" ? day < target : cmp === "on" ? day === target : day >= target;
}

export async function matches(key: SearchKey, c: Candidate): Promise<boolean> {
  const m = c.message;
  switch (key.op) {
    case "all":
      return true;
    case "and":
      for (const k of key.keys) if (!(await matches(k, c))) return false;
      return true;
    case "or":
      return (await matches(key.a, c)) || (await matches(key.b, c));
    case "not":
      return !(await matches(key.key, c));
    case "flag":
      return has(m, key.flag) === key.set;
    case "new":
      return m.recent && !has(m, "\\Seen");
    case "old":
      return !m.recent;
    case "recent":
      return m.recent === key.set;
    case "size":
      return key.cmp === "larger" ? m.size > key.n : m.size < key.n;
    case "modseq":
      // RFC 7162 §3.1.5: mod-sequence equal to or greater than the given one.
      return m.modseq >= key.modseq;
    case "internal":
      return compareDay(key.cmp, dayOfDate(m.internalDate, localOffsetMinutes(m.internalDate)), key.day);
    case "seq":
      return inSet(key.set, c.seq, c.maxSeq);
    case "uid":
      return inSet(key.set, m.uid, c.maxUid);
    case "header": {
      const message = await c.load();
      if (!message) return false;
      const values = await message.headerValues(key.field);
      // RFC 3501 §6.4.4 HEADER: an empty string matches every message that has the field.
      if (key.value === "") return values.length > 0;
      return values.some((v) => contains(v, key.value));
    }
    case "address": {
      const message = await c.load();
      if (!message) return false;
      return (await message.addressValues(key.field)).some((v) => contains(v, key.value));
    }
    case "body": {
      const message = await c.load();
      return message !== null && contains(await message.bodyText(), key.value);
    }
    case "text": {
      const message = await c.load();
      return message !== null && contains(await message.fullText(), key.value);
    }
    case "emailid": {
      // RFC 8474 §6: the message whose EMAILID is the one given (ids are case-sensitive).
      const message = await c.load();
      return message !== null && emailObjectId(message.raw) === key.id;
    }
    case "threadid":
      // RFC 8474 §5.2: without threads "a SEARCH for THREADID MUST NOT match any messages".
      return false;
    case "sent": {
      const message = await c.load();
      const date = message && (await message.sentDate());
      if (!date) return false;
      const written = writtenDay((await message.headerValues("Date"))[0] ?? "");
      return compareDay(key.cmp, written ?? dayOfDate(date, 0), key.day);
    }
  }
}

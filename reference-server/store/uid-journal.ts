// The uid list's append-only journal ("mailconform-uidlist.journal" beside
// the list): each committed batch of deliveries appends one record per
// message, so a delivery costs one small O_DSYNC append instead of rewriting
// the whole list (which grew with the mailbox). The list is rewritten
// ("compacted") now and then; recovery is list + replay of the journal.
// Standards: RFC 3501 §2.3.1.1 (UIDs persist, strictly ascending, never reused).
//
// A record is one line, `<crc32 hex> <json>\n`, the JSON being
// `[uidValidity, generation, uid, base, size, date, keywords?]`. A record
// counts only when its checksum is right and it carries the list's
// UIDVALIDITY and generation; so
// - a torn last record (crash mid-append) fails its checksum and is ignored —
//   its batch was never acknowledged;
// - records of an older generation (the list was compacted after them, and
//   the crash came before the journal was emptied) are ignored — the list
//   already holds them;
// - records of an older UIDVALIDITY (the list was lost and rebuilt) are ignored.
// Lines are judged one by one, so stale bytes after a truncation that did not
// reach the disk cannot hide later records.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { isMissing } from "./durable.ts";
import { MAX_UID, type UidList, type UidListEntry } from "./uid-list.ts";

export const UID_JOURNAL_FILE = "mailconform-uidlist.journal";

/**
 * Compact (rewrite the list, empty the journal) once the journal holds more
 * records than this or than the list held messages, whichever is more: the
 * rewrite costs O(messages), so it happens at most once per that many
 * deliveries, and replay on open stays O(messages).
 */
export const JOURNAL_COMPACT_MIN_RECORDS = 1024;

export interface JournalRecord {
  uidValidity: number;
  generation: number;
  entry: UidListEntry;
}

function checksum(json: string): string {
  return crc32(json).toString(16).padStart(8, "0");
}

/** The bytes appended for one committed batch. */
export function formatJournalRecords(uidValidity: number, generation: number, entries: readonly UidListEntry[]): Buffer {
  let text = "";
  for (const e of entries) {
    const row: unknown[] = [uidValidity, generation, e.uid, e.base, e.size, e.date];
    if (e.keywords.length > 0) row.push(e.keywords);
    const json = JSON.stringify(row);
    text += `${checksum(json)} ${json}\n`;
  }
  return Buffer.from(text);
}

function isWord(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** Every well-formed record, in file order; anything else (torn, garbled) is skipped. */
export function parseJournal(text: string): JournalRecord[] {
  const records: JournalRecord[] = [];
  const lines = text.split("\n");
  // The part after the last "\n" never got its newline: a torn append.
  lines.pop();
  for (const line of lines) {
    const space = line.indexOf(" ");
    if (space !== 8) continue;
    const json = line.slice(space + 1);
    if (line.slice(0, space) !== checksum(json)) continue;
    let row: unknown;
    try {
      row = JSON.parse(json);
    } catch {
      continue;
    }
    if (!Array.isArray(row) || row.length < 6 || row.length > 7) continue;
    const [uidValidity, generation, uid, base, size, date, keywords = []] = row as unknown[];
    if (!Number.isInteger(uidValidity) || !Number.isSafeInteger(generation) || (generation as number) < 0) continue;
    if (!Number.isInteger(uid) || (uid as number) < 1 || (uid as number) > MAX_UID) continue;
    if (!isWord(base) || base.includes("/")) continue;
    if (!Number.isSafeInteger(size) || (size as number) < 0 || typeof date !== "number" || !Number.isFinite(date)) continue;
    if (!Array.isArray(keywords) || !keywords.every(isWord)) continue;
    records.push({
      uidValidity: uidValidity as number,
      generation: generation as number,
      entry: { uid: uid as number, base, size: size as number, date, keywords: keywords as string[] },
    });
  }
  return records;
}

/** The journal's records, its length in bytes, and whether it exists at all. */
export async function readJournal(maildir: string): Promise<{ records: JournalRecord[]; bytes: number; exists: boolean }> {
  try {
    const bytes = await readFile(path.join(maildir, UID_JOURNAL_FILE));
    return { records: parseJournal(bytes.toString("utf8")), bytes: bytes.length, exists: true };
  } catch (error) {
    if (isMissing(error)) return { records: [], bytes: 0, exists: false };
    throw error;
  }
}

/**
 * The list with the journal records that continue it applied: each adds a
 * message above every UID before it, and keywords first used by a delivery
 * join the mailbox's keyword list in order (as they did in memory). Null when
 * records of this generation contradict the list or each other (a UID not
 * ascending, a name listed twice): the caller then treats the list as corrupt
 * and starts a new UIDVALIDITY rather than risk handing out a UID twice.
 */
export function replayJournal(list: UidList, records: readonly JournalRecord[]): UidList | null {
  const generation = list.journal ?? 0;
  const bases = new Set(list.messages.map((m) => m.base));
  const known = new Set(list.keywords.map((k) => k.toUpperCase()));
  const keywords = [...list.keywords];
  const messages = [...list.messages];
  let uidNext = list.uidNext;
  for (const { uidValidity, generation: g, entry } of records) {
    if (uidValidity !== list.uidValidity || g !== generation) continue;
    if (entry.uid < uidNext || bases.has(entry.base)) return null;
    bases.add(entry.base);
    for (const word of entry.keywords) {
      if (known.has(word.toUpperCase())) continue;
      known.add(word.toUpperCase());
      keywords.push(word);
    }
    messages.push(entry);
    uidNext = entry.uid + 1;
  }
  return { uidValidity: list.uidValidity, uidNext, keywords, messages, journal: generation };
}

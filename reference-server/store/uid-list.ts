// The persistent UID list of one mailbox ("mailconform-uidlist" in its
// Maildir): UIDVALIDITY, UIDNEXT, the mailbox's keywords, and uid → base file
// name (plus size, internal date and keywords) per message. Keyed by the base
// name, so a rename for a flag change or new/ → cur/ keeps the UID. Deliveries
// do not rewrite it: they append to its journal (uid-journal.ts), which names
// the list generation it continues. Also issues UIDVALIDITY values that only
// ever grow, per user.
// Standards: RFC 3501 §2.3.1.1 (UID, UIDVALIDITY, strictly ascending, never reused).

import { readFile } from "node:fs/promises";
import path from "node:path";
import { isMissing, replaceFile } from "./durable.ts";
import { KeyedMutex } from "./locks.ts";

export const UID_LIST_FILE = "mailconform-uidlist";

/** Kept in the user's INBOX Maildir: the last UIDVALIDITY issued for any of the user's mailboxes. */
export const UID_VALIDITY_FILE = "mailconform-uidvalidity";

/** UIDs and UIDVALIDITY are nz-number: 32-bit unsigned (RFC 3501 §9). */
export const MAX_UID = 0xffff_ffff;

const FORMAT_LINE = "mailconform-uidlist 1";

export interface UidListEntry {
  uid: number;
  /** The message file name up to ":2," — stable while flags change. */
  base: string;
  size: number;
  /** Internal date, milliseconds since the epoch (the file's mtime when it was first seen). */
  date: number;
  keywords: string[];
}

export interface UidList {
  uidValidity: number;
  uidNext: number;
  /** Every keyword known in the mailbox, in the spelling first used. */
  keywords: string[];
  /** Ascending by uid. */
  messages: UidListEntry[];
  /**
   * The generation of this list: only journal records carrying the same
   * number (and UIDVALIDITY) continue it. Absent in lists written before the
   * journal existed, which counts as 0.
   */
  journal?: number;
}

/**
 * Text form: a format line, a JSON header, then one JSON array per message,
 * `[uid, base, size, date, keywords?]`. JSON quotes any byte a foreign file
 * name may hold; one message per line keeps the file readable and diffable.
 */
export function formatUidList(list: UidList): string {
  const lines = [
    FORMAT_LINE,
    JSON.stringify(
      list.journal === undefined
        ? { uidValidity: list.uidValidity, uidNext: list.uidNext, keywords: list.keywords }
        : { uidValidity: list.uidValidity, uidNext: list.uidNext, keywords: list.keywords, journal: list.journal },
    ),
  ];
  for (const m of list.messages) {
    lines.push(JSON.stringify(m.keywords.length > 0 ? [m.uid, m.base, m.size, m.date, m.keywords] : [m.uid, m.base, m.size, m.date]));
  }
  return lines.join("\n") + "\n";
}

function isUid(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_UID;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.length > 0);
}

/**
 * Parses the text form; null when anything is off (truncated, edited, from a
 * future format). The caller then rebuilds with a new UIDVALIDITY — a list
 * that is wrong must never hand out a UID twice.
 */
export function parseUidList(text: string): UidList | null {
  const lines = text.split("\n");
  if (lines[0] !== FORMAT_LINE || lines.at(-1) !== "") return null;
  try {
    const header: unknown = JSON.parse(lines[1] ?? "");
    if (typeof header !== "object" || header === null) return null;
    const { uidValidity, uidNext, keywords, journal } = header as Record<string, unknown>;
    // uidNext may sit one past MAX_UID once every UID has been used.
    if (!isUid(uidValidity) || (!isUid(uidNext) && uidNext !== MAX_UID + 1) || !isStringArray(keywords)) return null;
    if (journal !== undefined && !(Number.isSafeInteger(journal) && (journal as number) >= 0)) return null;
    const messages: UidListEntry[] = [];
    const bases = new Set<string>();
    let lastUid = 0;
    for (const line of lines.slice(2, -1)) {
      const row: unknown = JSON.parse(line);
      if (!Array.isArray(row) || row.length < 4 || row.length > 5) return null;
      const [uid, base, size, date, words = []] = row as unknown[];
      if (!isUid(uid) || uid <= lastUid || uid >= (uidNext as number)) return null;
      if (typeof base !== "string" || base.length === 0 || base.includes("/") || bases.has(base)) return null;
      if (!Number.isSafeInteger(size) || (size as number) < 0) return null;
      if (typeof date !== "number" || !Number.isFinite(date)) return null;
      if (!isStringArray(words)) return null;
      bases.add(base);
      lastUid = uid;
      messages.push({ uid, base, size: size as number, date, keywords: words });
    }
    const list: UidList = { uidValidity, uidNext: uidNext as number, keywords, messages };
    if (journal !== undefined) list.journal = journal as number;
    return list;
  } catch {
    return null;
  }
}

/** Reads a mailbox's list; null when it is missing or corrupt. */
export async function readUidList(maildir: string): Promise<UidList | null> {
  try {
    return parseUidList(await readFile(path.join(maildir, UID_LIST_FILE), "utf8"));
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** Replaces a mailbox's list atomically and durably. */
export async function writeUidList(maildir: string, list: UidList): Promise<void> {
  await replaceFile(path.join(maildir, UID_LIST_FILE), formatUidList(list));
}

/**
 * Issues UIDVALIDITY values. RFC 3501 §2.3.1.1: when UIDs of an earlier
 * session fail to persist (list lost, mailbox deleted and created again) the
 * new value MUST be greater than the one used before. A value is the
 * current time in seconds (what the RFC suggests), raised above the last
 * value issued for the user (kept on disk) and in this process, so two
 * rebuilds within one second still differ.
 */
export class UidValidityIssuer {
  private readonly perUser = new KeyedMutex();
  private lastInProcess = 0;

  issue(userMaildir: string): Promise<number> {
    return this.perUser.run(userMaildir, async () => {
      const file = path.join(userMaildir, UID_VALIDITY_FILE);
      let lastOnDisk = 0;
      try {
        const parsed = Number((await readFile(file, "utf8")).trim());
        if (isUid(parsed)) lastOnDisk = parsed;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      const value = Math.max(Math.floor(Date.now() / 1000), lastOnDisk + 1, this.lastInProcess + 1);
      if (value > MAX_UID) throw new Error("UIDVALIDITY space exhausted (32 bits)");
      await replaceFile(file, `${value}\n`);
      this.lastInProcess = value;
      return value;
    });
  }
}

// Mod-sequences of one mailbox ("mailconform-modseq" in its Maildir): the
// MODSEQ of every message, the mailbox's HIGHESTMODSEQ, and the UIDs expunged
// since the last compaction with the mod-sequence of their expunge (for
// QRESYNC's VANISHED (EARLIER)). A change costs one small O_DSYNC append, never
// a rewrite of the uid list; the file is rewritten whole ("compacted") once it
// holds more records than max(COMPACT_MIN_RECORDS, messages), so replay on
// open stays O(messages).
// Standards: RFC 7162 §3.1 (mod-sequences: per message, per mailbox, only ever
// growing), §3.1.2.1 (HIGHESTMODSEQ persists), §3.2.5.1, §3.2.6 (VANISHED (EARLIER)).
//
// A line is `<crc32 hex> <json>\n` (as in uid-journal.ts). The first line is
// a snapshot `{"uidValidity", "highest", "vanishedFloor", "modseqs": [[uid, modseq], ...], "vanished": [...]}`;
// every later line is a change `[uidValidity, modseq, "changed" | "expunged", [uid, ...]]`.
// A torn last line (crash mid-append) fails its checksum and is ignored: its
// change was never acknowledged, so its mod-sequence was never reported.
// Monotonic across kill -9: a mod-sequence is reported only after the record
// carrying it is on disk, and on open HIGHESTMODSEQ is the greatest one found.

import { readFile } from "node:fs/promises";
import path from "node:path";
import { crc32 } from "node:zlib";
import { isMissing, replaceFile } from "./durable.ts";

export const MODSEQ_FILE = "mailconform-modseq";

/** Compact once the file holds more change records than this or than the mailbox has messages, whichever is more. */
export const COMPACT_MIN_RECORDS = 1024;

/** mod-sequence-value = 1*DIGIT, at most 2^63-1 (RFC 7162 §7); we stay within exact JavaScript integers. */
export const MAX_MODSEQ = Number.MAX_SAFE_INTEGER;

export interface ModseqSnapshot {
  uidValidity: number;
  highest: number;
  /** Expunges at or below this mod-sequence were compacted away: their UIDs are no longer known. */
  vanishedFloor: number;
  modseqs: [uid: number, modseq: number][];
  /** UIDs expunged above the floor → the mod-sequence of their expunge. */
  vanished: [uid: number, modseq: number][];
}

export interface ModseqChange {
  uidValidity: number;
  modseq: number;
  kind: "changed" | "expunged";
  uids: number[];
}

function line(value: unknown): string {
  const json = JSON.stringify(value);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

function isModseq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isUidArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((u) => Number.isInteger(u) && u >= 1 && u <= 0xffff_ffff);
}

function isPairs(value: unknown): value is [number, number][] {
  return Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2 && isUidArray([pair[0]]) && isModseq(pair[1]));
}

/** The snapshot and the changes that follow it; anything torn or garbled is skipped. */
export function parseModseqFile(text: string): { snapshot: ModseqSnapshot | null; changes: ModseqChange[] } {
  const lines = text.split("\n");
  lines.pop();
  let snapshot: ModseqSnapshot | null = null;
  const changes: ModseqChange[] = [];
  for (const [index, raw] of lines.entries()) {
    if (raw.indexOf(" ") !== 8) continue;
    const json = raw.slice(9);
    if (raw.slice(0, 8) !== crc32(json).toString(16).padStart(8, "0")) continue;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      continue;
    }
    if (index === 0 && typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { uidValidity, highest, vanishedFloor, modseqs, vanished } = value as Record<string, unknown>;
      if (!isModseq(uidValidity) || !isModseq(highest) || !isModseq(vanishedFloor) || !isPairs(modseqs) || !isPairs(vanished)) continue;
      snapshot = { uidValidity, highest, vanishedFloor, modseqs, vanished };
      continue;
    }
    if (!Array.isArray(value) || value.length !== 4) continue;
    const [uidValidity, modseq, kind, uids] = value as unknown[];
    if (!isModseq(uidValidity) || !isModseq(modseq) || (kind !== "changed" && kind !== "expunged") || !isUidArray(uids)) continue;
    changes.push({ uidValidity, modseq, kind, uids });
  }
  return { snapshot, changes };
}

/**
 * The mod-sequence state of one mailbox, in memory and on disk. The mailbox
 * calls it under its own lock; every method that changes state resolves only
 * once the change is durable.
 */
/** The log's open descriptor, kept by the mailbox's CommitFiles (an interface here: commit-files.ts imports this module's file name). */
export interface ModseqFile {
  /** Appends bytes; durable (data and size) when it resolves. */
  appendModseq(data: Buffer): Promise<void>;
  /** The file was replaced by a compaction: the next append opens it anew. */
  modseqReplaced(): void;
}

export class ModseqLog {
  private uidValidity = 0;
  private highestValue = 0;
  private vanishedFloor = 0;
  private readonly byUid = new Map<number, number>();
  /** UIDs expunged since the last compaction → the mod-sequence of their expunge. */
  private readonly vanished = new Map<number, number>();
  private records = 0;
  // An append failed: what is on disk may lack a change, so the next write is a whole snapshot.
  private snapshotOwed = false;
  // Lines staged and not yet handed to a write, how many were ever staged, and how many of those are written.
  private staged: string[] = [];
  private stagedCount = 0;
  private writtenCount = 0;
  private writing: Promise<void> | null = null;

  /** `files`: the mailbox's open descriptors (commit-files.ts), through which the appends go (one thread-pool job each, no open or close). */
  constructor(
    private readonly maildir: string,
    private readonly files: ModseqFile,
  ) {}

  get highest(): number {
    return this.highestValue;
  }

  modseqOf(uid: number): number {
    return this.byUid.get(uid) ?? this.vanishedFloor;
  }

  /**
   * Reads the file for a mailbox of `uidValidity` holding `uids`. `listKept`
   * says the uid list was read from disk (not rebuilt): if the file is then
   * missing, clients may hold mod-sequences from it, so counting restarts
   * above the clock in milliseconds, which no earlier count can have reached.
   * Messages the file does not know (delivered while it was lost, or by a
   * crash between the uid journal and this file) get one fresh mod-sequence.
   */
  async load(uidValidity: number, uids: readonly number[], listKept: boolean): Promise<void> {
    // A write still in flight would land in the file read here or after it: let it finish first.
    await this.flush();
    this.staged = [];
    this.writtenCount = this.stagedCount;
    let text: string | null = null;
    try {
      text = await readFile(path.join(this.maildir, MODSEQ_FILE), "utf8");
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    const { snapshot, changes } = parseModseqFile(text ?? "");
    this.uidValidity = uidValidity;
    this.byUid.clear();
    this.vanished.clear();
    this.highestValue = snapshot?.highest ?? 0;
    this.vanishedFloor = 0;
    for (const change of changes) this.highestValue = Math.max(this.highestValue, change.modseq);
    if (snapshot === null && listKept) this.highestValue = Math.max(this.highestValue, Date.now());
    // A mod-sequence is positive (RFC 7162 §7, mod-sequence-value): an empty new mailbox reports 1, its first change 2.
    this.highestValue = Math.max(this.highestValue, 1);
    if (snapshot !== null && snapshot.uidValidity === uidValidity) {
      this.vanishedFloor = snapshot.vanishedFloor;
      for (const [uid, modseq] of snapshot.modseqs) this.byUid.set(uid, modseq);
      for (const [uid, modseq] of snapshot.vanished) this.vanished.set(uid, modseq);
      for (const change of changes) {
        if (change.uidValidity !== uidValidity) continue;
        for (const uid of change.uids) {
          if (change.kind === "changed") this.byUid.set(uid, change.modseq);
          else {
            this.byUid.delete(uid);
            this.vanished.set(uid, change.modseq);
          }
        }
      }
    } else {
      // A new UIDVALIDITY (or no state at all): nothing a client cached still applies.
      this.vanishedFloor = this.highestValue;
    }
    const present = new Set(uids);
    const gone = [...this.byUid.keys()].filter((uid) => !present.has(uid));
    for (const uid of gone) this.byUid.delete(uid);
    const unknown = uids.filter((uid) => !this.byUid.has(uid));
    // Folded into a fresh snapshot at once: replay stays short and a torn tail is gone before any append.
    const modseq = this.next();
    for (const uid of unknown) this.byUid.set(uid, modseq);
    for (const uid of gone) this.vanished.set(uid, modseq);
    if (unknown.length > 0 || gone.length > 0) this.highestValue = modseq;
    const clean = snapshot !== null && snapshot.uidValidity === uidValidity && changes.length === 0 && text!.split("\n").length === 2;
    if (!clean || unknown.length > 0 || gone.length > 0) await this.compact().catch(() => undefined);
  }

  /**
   * Gives `uids` one new mod-sequence for `kind` (flags changed or message
   * added; expunged) and makes it durable: stage() then flush().
   */
  async record(kind: "changed" | "expunged", uids: readonly number[]): Promise<number> {
    const modseq = this.stage(kind, uids);
    await this.flush();
    return modseq;
  }

  /**
   * Gives `uids` one new mod-sequence for `kind` in memory only; the next
   * flush() makes it durable. Until then it must not be reported: several
   * changes staged one after another share one append (group commit).
   */
  stage(kind: "changed" | "expunged", uids: readonly number[]): number {
    if (uids.length === 0) return this.highestValue;
    const modseq = this.next();
    this.highestValue = modseq;
    for (const uid of uids) {
      if (kind === "changed") this.byUid.set(uid, modseq);
      else {
        this.byUid.delete(uid);
        this.vanished.set(uid, modseq);
      }
    }
    this.staged.push(line([this.uidValidity, modseq, kind, uids]));
    this.stagedCount += 1;
    return modseq;
  }

  /**
   * Resolves once every change staged before the call is on disk: the lines
   * staged meanwhile go out in one O_DSYNC append (or one compaction), and
   * lines staged while it runs wait for the next. A disk that refuses the
   * write (full, failing) must not stop a change that needs no space, such
   * as a system flag's rename: the state is kept in memory and the next
   * write that succeeds is a whole snapshot. Only a crash while the disk
   * refuses writes can then lose mod-sequences that were reported.
   */
  async flush(): Promise<void> {
    const target = this.stagedCount;
    while (this.writtenCount < target) {
      if (this.writing === null) {
        this.writing = this.writeStaged().finally(() => {
          this.writing = null;
        });
      }
      await this.writing;
    }
  }

  private async writeStaged(): Promise<void> {
    const lines = this.staged.splice(0);
    const through = this.stagedCount;
    try {
      if (this.snapshotOwed || this.records + lines.length > Math.max(COMPACT_MIN_RECORDS, this.byUid.size)) {
        // The snapshot holds everything staged so far, these lines included.
        await this.compact();
      } else {
        await this.append(lines.join(""));
        this.records += lines.length;
      }
    } catch {
      this.snapshotOwed = true;
    }
    this.writtenCount = Math.max(this.writtenCount, through);
  }

  /**
   * Which of `candidates` (UIDs below `uidNext`, ascending) are gone and were
   * expunged after `since`. Below the vanished floor the expunge times are
   * no longer known, so every missing candidate is reported: more than
   * asked, never less (RFC 7162 §3.2.6 lets a client receive UIDs it
   * already knew were gone).
   */
  vanishedSince(since: number, candidates: Iterable<number>): number[] {
    const out: number[] = [];
    for (const uid of candidates) {
      if (this.byUid.has(uid)) continue;
      const at = this.vanished.get(uid);
      if (since < this.vanishedFloor || (at !== undefined && at > since)) out.push(uid);
    }
    return out;
  }

  private next(): number {
    if (this.highestValue >= MAX_MODSEQ) throw new Error("mod-sequence space exhausted");
    return this.highestValue + 1;
  }

  private append(data: string): Promise<void> {
    return this.files.appendModseq(Buffer.from(data));
  }

  /**
   * Rewrites the file as one snapshot. Expunges are kept up to as many as
   * the mailbox has messages (at least COMPACT_MIN_RECORDS); older ones fall
   * below the vanished floor, so the file stays O(messages).
   */
  private async compact(): Promise<void> {
    const tombstones = [...this.vanished.entries()].sort((a, b) => a[1] - b[1]);
    const dropped = tombstones.splice(0, Math.max(0, tombstones.length - Math.max(COMPACT_MIN_RECORDS, this.byUid.size)));
    const floor = Math.max(this.vanishedFloor, dropped.at(-1)?.[1] ?? 0);
    const snapshot: ModseqSnapshot = {
      uidValidity: this.uidValidity,
      highest: this.highestValue,
      vanishedFloor: floor,
      modseqs: [...this.byUid.entries()].sort((a, b) => a[0] - b[0]),
      vanished: tombstones.sort((a, b) => a[0] - b[0]),
    };
    try {
      await replaceFile(path.join(this.maildir, MODSEQ_FILE), line(snapshot));
    } finally {
      // Whether or not the rename happened, the descriptor may name a file no longer there.
      this.files.modseqReplaced();
    }
    this.vanishedFloor = floor;
    for (const [uid] of dropped) this.vanished.delete(uid);
    this.records = 0;
    this.snapshotOwed = false;
  }
}

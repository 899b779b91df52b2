// One mailbox (a Maildir) as the protocol engines see it: a cached view of
// its uid list (plus journal) reconciled with the files on disk, and every
// mutation of it. All mutations run under one in-process mutex per mailbox
// (see locks.ts); the store hands every session the same instance, so watch()
// reaches all sessions. Flag changes, expunges and IMAP appends queued while
// one batch syncs are applied together by the next holder of the lock and
// share its directory fsyncs and log appends (group commit, change()). Files
// that appear or vanish behind our back are picked up by the next status(),
// which lists new/ and cur/ again unless their timestamps show that nothing
// touched them since the last listing. status() answers without the lock from
// the last durable state (published at each commit) while new/ and cur/ hold
// nothing but that state and our own changes in flight.
// Standards: RFC 3501 §2.3.1.1 (UIDs), §2.3.2 (flags), §7.4.1 (EXPUNGE); Maildir.

import { readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { CommitFiles } from "./commit-files.ts";
import { discardMessage, publishMessage, stageMessage, type StagedMessage } from "./deliver.ts";
import { isMissing, renameFile } from "./durable.ts";
import { changeKeywords, changeLetters, flagsOf, MAX_KEYWORDS_PER_MAILBOX, parseFlags, type ParsedFlags } from "./flags.ts";
import { Mutex } from "./locks.ts";
import { messageCache } from "./message-cache.ts";
import { ModseqLog } from "./modseq-log.ts";
import { curFileName, listMessageFiles, listMessageFilesNow, locateMessageFile, removeTmpDebris, stampDir, statMessageFile, type DirStamp, type MessageFile } from "./maildir.ts";
import type { Flag, FlagStoreOptions, Mailbox, MailboxChange, MailboxStatus, MessageBytes, MessageInfo, NewMessage } from "./types.ts";
import { InvalidFlag, MailboxNotFound, MessageGone } from "./types.ts";
import { formatJournalRecords, JOURNAL_COMPACT_MIN_RECORDS, readJournal, replayJournal } from "./uid-journal.ts";
import { MAX_UID, readUidList, writeUidList, type UidList, type UidListEntry, type UidValidityIssuer } from "./uid-list.ts";

/** Where a mailbox lives and what it needs from the store. */
export interface MailboxPlace {
  user: string;
  name: string;
  /** This mailbox's Maildir. */
  maildir: string;
  /** The user's INBOX Maildir, where UIDVALIDITY values are recorded. */
  userMaildir: string;
  issuer: UidValidityIssuer;
  /** Receives what a watch() listener throws. */
  onListenerError: (error: unknown) => void;
  /** The session-state key of the mailbox this one was renamed from (see MaildirMailbox.sessionKey). */
  sessionKey?: object;
}

/** A uid list entry plus where its file is now. `file` is "" until the disk was read. */
interface Entry extends UidListEntry, MessageFile {
  /** What status() last reported for it, reused while its info letters, keywords and mod-sequence stay. */
  shown?: { message: MessageInfo; info: string; keywords: readonly string[] };
}

type Sub = "new" | "cur";

/**
 * Renames (and unlinks) of one STORE or EXPUNGE waiting in the thread pool at once: enough
 * to keep its threads busy, few enough that other sessions' reads and fsyncs
 * are not queued behind thousands of them.
 */
const RENAMES_IN_FLIGHT = 16;

/**
 * Mailboxes up to this size are listed synchronously (maildir.ts listMessageFiles):
 * the listing runs under the lock, and an asynchronous one would hold it while
 * waiting in the thread pool behind other sessions' fsyncs.
 */
const SYNC_LISTING_MAX_MESSAGES = 1000;

interface PendingAppend {
  staged: StagedMessage;
  flags: ParsedFlags;
  uid: number;
  error: unknown;
  done: boolean;
}

/** What one flag change or expunge did under the lock, for the sync it shares with the others of its batch. */
interface AppliedChange {
  /** Directories whose entries it changed. */
  touched: Set<Sub>;
  /** Renames done, undone newest first if the shared sync fails. */
  renamed: [from: string, to: string][];
  /** Files it moved into tmp/: unlinked once the change is durable. */
  parked: string[];
  /** Uid journal records of messages it added (uid-journal.ts), appended with the batch's; how many. */
  journal: Buffer[];
  journaled: number;
  /** What the other sessions are told once the batch is durable. */
  notices: MailboxChange[];
  /** Gives `uids` a mod-sequence, in memory until the batch's one append (ModseqLog.stage). */
  stage(kind: "changed" | "expunged", uids: number[]): void;
  /** Makes durable every rename of the batch so far, this change's included. */
  syncSoFar(): Promise<void>;
}

interface PendingChange {
  apply: (change: AppliedChange) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Where a message's file was when its mailbox's state was published (compared field by field: no string built per look). */
type PublishedFile = { readonly sub: "new" | "cur"; readonly file: string };

/** A change is published (copied for lock-free status()) while status() was called this recently, or a session watches. */
const PUBLISH_AFTER_STATUS_MS = 1000;

export class MaildirMailbox implements Mailbox {
  readonly user: string;
  readonly name: string;
  private readonly lock = new Mutex();
  private loaded = false;
  private gone = false;
  private uidValidity = 0;
  private uidNext = 1;
  private keywords: string[] = [];
  // Insertion order is ascending UID order: loaded ascending, appended above uidNext.
  private byUid = new Map<number, Entry>();
  private readonly listeners = new Set<(change: MailboxChange) => void>();
  private pending: PendingAppend[] = [];
  // Flag changes and expunges waiting for the lock: the next holder applies them all and syncs once.
  private changes: PendingChange[] = [];
  // Messages expunged since the list was last written: it still names them (harmless, their files are gone).
  private staleInList = 0;
  private readonly files: CommitFiles;
  // new/ and cur/ joined once: status() stamps both on every look, and every read names a file in one.
  private readonly dirs: { readonly new: string; readonly cur: string };
  // RFC 7162 mod-sequences, kept in their own append-only file (modseq-log.ts).
  private readonly modseqs: ModseqLog;
  // The uid list's generation on disk; journal records carry it (uid-journal.ts).
  private journalGeneration = 0;
  // Records appended since the last compaction, and whether the journal file may hold any bytes at all.
  private journalRecords = 0;
  private journalDirty = false;
  // Messages the list on disk holds: compaction is due once the journal outgrows it.
  private listedMessages = 0;
  // Set when a crash left bytes in the journal: the next compaction must empty it durably.
  private journalTorn = false;
  private compactionQueued = false;
  // A list write failed (full disk) while reads went on: the generation on disk is uncertain, so no
  // journal record may be appended until a whole list of a newer generation has been written.
  private listWriteOwed = false;
  // Stamps of new/ and cur/ (maildir.ts stampDir) from just before the listing the view was last
  // reconciled with, kept only if both were settled: while both still match, the directories hold
  // what that listing held, so status() need not list them again. Our own renames move them too.
  private listedStamps: [newDir: string, curDir: string] | null = null;
  private listingCount = 0;
  // A status() waiting for the lock and not yet started: calls made meanwhile share it.
  private queuedStatus: Promise<MailboxStatus> | null = null;
  // The last durable state as status() reports it, with each message's file then (base → "sub/file").
  // Published wherever the view is durable and whole (the end of a look at the disk, each notice of a
  // committed change), so a status() made while another session's change is being applied and synced
  // answers from it instead of waiting for the lock (publishedIfCurrent). Null after invalidate() and
  // for mailboxes over SYNC_LISTING_MAX_MESSAGES.
  private published: { status: MailboxStatus; files: Map<string, PublishedFile> } | null = null;
  // When status() was last called (performance.now()): publishing at a change is worth its copy only if someone reads.
  private statusAskedMs = -Infinity;
  // Stamps of new/ and cur/ taken before a listing that showed exactly the published files.
  private verifiedStamps: [newDir: string, curDir: string] | null = null;
  // The last listing publishedIfCurrent made, under the settled stamps taken just before it: while new/ and
  // cur/ keep those stamps they hold what it found, so the next look compares against it without listing
  // again (under load every session looks after each command, and most looks follow no change at all).
  private lastListing: { stamps: [newDir: string, curDir: string]; onDisk: Map<string, MessageFile> } | null = null;

  /**
   * What per-session state (the \\Recent claims, imap/mailbox/recent.ts) is kept
   * under: a RENAME hands it to the instance under the new name, since the
   * messages, UIDs and UIDVALIDITY move with the mailbox (RFC 3501 §2.3.2, §6.3.5).
   */
  readonly sessionKey: object;

  constructor(private readonly place: MailboxPlace) {
    this.sessionKey = place.sessionKey ?? {};
    this.user = place.user;
    this.name = place.name;
    this.files = new CommitFiles(place.maildir);
    this.dirs = { new: path.join(place.maildir, "new"), cur: path.join(place.maildir, "cur") };
    this.modseqs = new ModseqLog(place.maildir, this.files);
  }

  /** How often new/ and cur/ were listed to reconcile the view (for specs and benchmarks). */
  get listings(): number {
    return this.listingCount;
  }

  /**
   * Every session whose view went stale asks at once after a change (each of
   * them was told of it), so a status() called while another is still
   * queued for the lock shares that one's look at the disk: it starts after
   * both calls, so it is as fresh as either needs. Each caller gets its own arrays.
   */
  async status(): Promise<MailboxStatus> {
    this.statusAskedMs = performance.now();
    const published = this.publishedIfCurrent();
    if (published !== null) return { ...published, messages: published.messages.slice(), keywords: [...published.keywords!] };
    let queued = this.queuedStatus;
    if (queued === null) {
      queued = this.lock.run(async () => {
        // Started: a later call must look again, as something may change after this look.
        if (this.queuedStatus === queued) this.queuedStatus = null;
        if (!(await this.loadLocked())) await this.syncLocked(false);
        this.publish();
        return this.published?.status ?? this.statusOfView();
      });
      this.queuedStatus = queued;
    }
    const status = await queued;
    return { ...status, messages: status.messages.slice(), keywords: [...status.keywords!] };
  }

  /**
   * The published state, if new/ and cur/ show nothing another program did since it was
   * published: every file is where it was then, or where this process has since moved it (a change
   * being applied), and every published message missing from the disk is one this process is
   * expunging. Anything else — a delivery, flag change or deletion by another program, or one of
   * our renames whose callback has not run yet — sends the caller to the lock and a full look
   * (syncLocked). Listing two small directories takes microseconds; the lock may be held for
   * milliseconds by another session's fsyncs. The listing is skipped only while the directories
   * keep the stamps taken before a listing that showed exactly the published files, and only where
   * every later change is sure to move them (maildir.ts restampsEveryChange); elsewhere a change
   * within the timestamp tick of our own last write would leave them as they were.
   */
  private publishedIfCurrent(): MailboxStatus | null {
    const published = this.published;
    // A keyword registered by a change being applied is in no published state yet.
    if (published === null || !this.loaded || this.gone || this.keywords.length !== published.status.keywords!.length) return null;
    let onDisk: Map<string, MessageFile>;
    let stamps: DirStamp[];
    try {
      // Stamped before the listing: a change after it moves the stamps (if settled) even when the listing saw it.
      stamps = [stampDir(this.dirs.new), stampDir(this.dirs.cur)];
      const verified = this.verifiedStamps;
      if (verified !== null && verified[0] === stamps[0]!.key && verified[1] === stamps[1]!.key) return published.status;
      const last = this.lastListing;
      if (last !== null && last.stamps[0] === stamps[0]!.key && last.stamps[1] === stamps[1]!.key) onDisk = last.onDisk;
      else {
        onDisk = listMessageFilesNow(this.place.maildir);
        this.lastListing = stamps.every((stamp) => stamp.settled) ? { stamps: [stamps[0]!.key, stamps[1]!.key], onDisk } : null;
      }
    } catch {
      return null;
    }
    let ours: Map<string, Entry> | null = null;
    let unchanged = onDisk.size === published.files.size;
    for (const [base, file] of onDisk) {
      const was = published.files.get(base);
      if (was !== undefined && was.sub === file.sub && was.file === file.file) continue;
      unchanged = false;
      ours ??= this.entriesByBase();
      const entry = ours.get(base);
      if (entry === undefined || entry.sub !== file.sub || entry.file !== file.file) return this.foundForeignChange();
    }
    if (!unchanged) {
      ours ??= this.entriesByBase();
      for (const base of published.files.keys()) if (!onDisk.has(base) && ours.has(base)) return this.foundForeignChange();
    }
    // The disk holds exactly what was published: while these stamps stay, it still does.
    else if (stamps.every((stamp) => stamp.settled)) this.verifiedStamps = [stamps[0]!.key, stamps[1]!.key];
    return published.status;
  }

  /** The next look under the lock lists the directories whatever their timestamps say. */
  private foundForeignChange(): null {
    this.listedStamps = null;
    return null;
  }

  async read(uid: number): Promise<Buffer> {
    // A loaded mailbox is looked up without its lock: a read must not wait behind another session's
    // STORE or EXPUNGE and their fsyncs. A file renamed meanwhile is found again below, under the lock.
    let found = this.loaded && !this.gone ? this.byUid.get(uid) : undefined;
    found ??= await this.lock.run(async () => {
      await this.loadLocked();
      return this.entryOrGone(uid);
    });
    let file = this.pathOf(found);
    // A base name always names the same bytes (message-cache.ts).
    const key = this.cacheKey(found.base);
    const cached = messageCache.get(key);
    if (cached !== undefined) return cached;
    let bytes: Buffer | null = null;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    if (bytes === null) {
      // Renamed by a flag change (or new/ → cur/) since we looked: find it again.
      file = await this.lock.run(async () => this.pathOf(await this.relocateLocked(this.entryOrGone(uid))));
      try {
        bytes = await readFile(file);
      } catch (error) {
        if (isMissing(error)) throw new MessageGone(uid);
        throw error;
      }
    }
    messageCache.set(key, bytes);
    return bytes;
  }

  /**
   * Stages the file outside the lock (many deliveries write and sync in
   * parallel), then commits every staged message waiting at that moment in
   * one batch: one rename each (all at once), then one fsync per directory
   * side by side with one journal append for the whole batch. That group
   * commit keeps concurrent SMTP sessions from queueing behind each other's
   * syncs: everything staged while one batch syncs joins the next.
   */
  async append(message: MessageBytes, options: { flags?: Flag[]; internalDate?: Date } = {}): Promise<number> {
    const flags = parseFlags(options.flags ?? []);
    checkDate(options.internalDate);
    this.assertExists();
    const staged = await stageMessage(this.place.maildir, message, options.internalDate);
    const item: PendingAppend = { staged, flags, uid: 0, error: undefined, done: false };
    this.pending.push(item);
    await this.lock.run(async () => {
      if (!item.done) await this.commitPendingLocked();
    });
    if (item.error !== undefined) throw item.error;
    return item.uid;
  }

  /**
   * All or none (IMAP APPEND, COPY, MOVE): each message is staged in tmp/ as
   * `messages` yields it, then the whole batch is committed at once under
   * the lock, like a group commit of deliveries but failing as one. Nothing
   * staged is visible before that, and on any failure everything is taken
   * back out.
   */
  async appendAll(messages: Iterable<NewMessage> | AsyncIterable<NewMessage>): Promise<{ uidValidity: number; uids: number[] }> {
    const items: PendingAppend[] = [];
    try {
      for await (const message of messages) {
        const flags = parseFlags(message.flags ?? []);
        checkDate(message.internalDate);
        this.assertExists();
        const staged = await stageMessage(this.place.maildir, message.bytes, message.internalDate);
        items.push({ staged, flags, uid: 0, error: undefined, done: false });
      }
      return await this.change(async (change) => {
        const spellings = items.map((item) => this.canonicalKeywords(item.flags.keywords, true).spelled);
        // Journal records must continue a list generation known to be on disk, and a list never outruns the files.
        if (this.listWriteOwed) {
          await change.syncSoFar();
          await this.writeListLocked();
        }
        const entries = items.map((item, i) => ({ uid: this.takeUid(), base: item.staged.base, size: item.staged.size, date: item.staged.date, keywords: spellings[i]! }));
        const published: MessageFile[] = [];
        // Every rename at once: each is one thread-pool job and none waits for another.
        await settleAll(
          items.map(async (item, i) => {
            const file = await publishMessage(this.place.maildir, item.staged, publishedInfo(item.flags, spellings[i]!));
            change.renamed.push([path.join(this.place.maildir, "tmp", item.staged.base), path.join(this.place.maildir, file.sub, file.file)]);
            change.touched.add(file.sub);
            published[i] = file;
          }),
        );
        for (const [i, entry] of entries.entries()) this.remember({ ...entry, ...published[i]! });
        change.journal.push(formatJournalRecords(this.uidValidity, this.journalGeneration, entries));
        change.journaled += entries.length;
        const uids = entries.map((e) => e.uid);
        // New messages take a mod-sequence in the same round of writes (RFC 7162 §3.1: HIGHESTMODSEQ grows).
        change.stage("changed", uids);
        change.notices.push({ kind: "added", uids });
        return { uidValidity: this.uidValidity, uids };
      });
    } catch (error) {
      await settleAll(items.map((item) => discardMessage(this.place.maildir, item.staged, null))).catch(() => undefined);
      throw error;
    }
  }

  async storeFlags(uids: number[], mode: "set" | "add" | "remove", flags: Flag[], options: FlagStoreOptions = {}): Promise<Map<number, Flag[]>> {
    const parsed = parseFlags(flags);
    return this.change(async (change) => {
      const keywords = this.canonicalKeywords(parsed.keywords, mode !== "remove");
      let listDirty = keywords.registered;
      // Every file whose info letters change is renamed in one batch (renameAllLocked) after this walk.
      const newInfo = new Map<Entry, string>();
      const updated: { entry: Entry; changed: boolean }[] = [];
      for (const uid of new Set(uids)) {
        const entry = this.byUid.get(uid);
        if (entry === undefined) continue;
        if (options.unchangedSince !== undefined && this.modseqs.modseqOf(uid) > options.unchangedSince) {
          options.modified?.push(uid);
          continue;
        }
        const info = changeLetters(entry.info, mode, parsed.letters);
        const words = changeKeywords(entry.keywords, mode, keywords.spelled);
        const wordsChanged = words.length !== entry.keywords.length || words.some((w, i) => w !== entry.keywords[i]);
        const infoChanged = info !== entry.info;
        if (infoChanged) newInfo.set(entry, info);
        if (wordsChanged) {
          entry.keywords = words;
          listDirty = true;
        }
        updated.push({ entry, changed: infoChanged || wordsChanged });
      }
      const vanished = await this.renameAllLocked(
        [...newInfo.keys()],
        (entry) => path.join(this.place.maildir, "cur", curFileName(entry.base, newInfo.get(entry)!)),
        (entry, from, to) => {
          change.renamed.push([from, to]);
          change.touched.add(entry.sub);
          change.touched.add("cur");
          Object.assign(entry, { sub: "cur" as const, file: path.basename(to), info: newInfo.get(entry)! });
        },
      );
      // A file gone behind our back is an expunge found on the way.
      for (const entry of vanished) this.forget(entry.uid);
      if (listDirty || vanished.length > 0) {
        // Keywords live in the list, which is written only once every rename before it (this
        // batch's too) is durable: a list must never outrun the files it describes.
        await change.syncSoFar();
        await this.writeListLocked();
      }
      const gone = new Set(vanished);
      const result = new Map<number, Flag[]>();
      const changed: number[] = [];
      for (const { entry, changed: didChange } of updated) {
        if (gone.has(entry)) continue;
        if (didChange) changed.push(entry.uid);
        result.set(entry.uid, flagsOf(entry.info, entry.keywords));
      }
      change.stage("expunged", vanished.map((e) => e.uid));
      change.notices.push({ kind: "expunged", uids: vanished.map((e) => e.uid) });
      // Only a real change takes a new mod-sequence (RFC 7162 §3.1.11).
      change.stage("changed", changed);
      change.notices.push({ kind: "flags", uids: changed });
      for (const uid of result.keys()) options.modseqs?.set(uid, this.modseqs.modseqOf(uid));
      return result;
    });
  }

  /**
   * Each file is first renamed into tmp/ (where no reader looks), and only
   * once all are there and the directories are synced is the expunge done;
   * a failure before that renames them back, so a NO removed nothing. The
   * files are then unlinked; the list keeps naming them until its next
   * rewrite (a message whose file is gone is gone on the next load too).
   */
  async expunge(uids: number[]): Promise<void> {
    return this.change(async (change) => {
      const removed: number[] = [];
      const entries: Entry[] = [];
      for (const uid of new Set(uids)) {
        const entry = this.byUid.get(uid);
        if (entry === undefined) continue;
        entries.push(entry);
        removed.push(uid);
      }
      // A file that vanished meanwhile is expunged all the same.
      await this.renameAllLocked(
        entries,
        (entry) => path.join(this.place.maildir, "tmp", entry.file),
        (entry, from, to) => {
          change.renamed.push([from, to]);
          change.parked.push(to);
          change.touched.add(entry.sub);
        },
      );
      for (const uid of removed) this.forget(uid);
      this.staleInList += removed.length;
      change.stage("expunged", removed);
      change.notices.push({ kind: "expunged", uids: removed });
    });
  }

  vanishedSince(since: number, uids: Iterable<number>): Promise<number[]> {
    return this.lock.run(async () => {
      if (!(await this.loadLocked())) await this.syncLocked(false);
      return this.modseqs.vanishedSince(since, uids);
    });
  }

  watch(listener: (change: MailboxChange) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Called by the store when the mailbox is deleted or renamed: later calls raise MailboxNotFound. */
  markGone(): void {
    this.gone = true;
    this.invalidate();
  }

  /** Runs `section` under this mailbox's lock, after its running mutations; for folder operations. */
  exclusive<T>(section: () => Promise<T>): Promise<T> {
    return this.lock.run(section);
  }

  /** The whole state as a uid list, loaded first; for renaming INBOX (folders.ts), under exclusive(). */
  async snapshotLocked(): Promise<UidList> {
    await this.loadLocked();
    await this.syncLocked(false);
    return this.listOf();
  }

  /** Forgets every message after their files were moved away (INBOX rename), under exclusive(). */
  async clearLocked(): Promise<void> {
    const uids = [...this.byUid.keys()];
    this.byUid.clear();
    await this.writeListLocked();
    await this.modseqs.record("expunged", uids);
    this.notify({ kind: "expunged", uids });
  }

  // ---- under the lock -------------------------------------------------------

  /**
   * Queues a flag change or expunge (group commit): whoever holds the lock
   * next applies every change waiting at that moment, one after another
   * (each sees those before it), then makes them durable together — one
   * fsync per directory touched, side by side with one mod-sequence append
   * for all. So sessions that queue while one batch syncs share the next
   * sync instead of each waiting for its own. None is answered before its
   * batch is durable.
   */
  private change<T>(apply: (change: AppliedChange) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.changes.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      void this.lock.run(async () => {
        if (this.changes.length > 0) await this.commitChangesLocked();
      });
    });
  }

  /**
   * A change that fails while applying has its own renames undone and fails
   * alone; the view is then rebuilt from the disk, and the changes queued
   * after it wait for the next batch, which applies them to the rebuilt view.
   * If the shared sync fails, every change of the batch is undone (newest
   * rename first), so a NO changed nothing, and each fails.
   */
  private async commitChangesLocked(): Promise<void> {
    const waiting = this.changes.splice(0);
    try {
      await this.loadLocked();
      this.assertExists();
    } catch (error) {
      for (const pending of waiting) pending.reject(error);
      return;
    }
    const applied: { pending: PendingChange; change: AppliedChange; value: unknown }[] = [];
    const batchTouched = new Set<Sub>();
    let broken = false;
    for (const [i, pending] of waiting.entries()) {
      const change: AppliedChange = {
        touched: new Set(),
        renamed: [],
        parked: [],
        journal: [],
        journaled: 0,
        notices: [],
        stage: (kind, uids) => void this.modseqs.stage(kind, uids),
        syncSoFar: () => this.syncDirsLocked(new Set([...batchTouched, ...change.touched])),
      };
      try {
        const value = await pending.apply(change);
        for (const sub of change.touched) batchTouched.add(sub);
        applied.push({ pending, change, value });
      } catch (error) {
        await this.undoLocked([change]);
        pending.reject(error);
        this.changes.unshift(...waiting.slice(i + 1));
        broken = true;
        break;
      }
    }
    const journal = applied.flatMap((a) => a.change.journal);
    if (journal.length > 0) this.journalDirty = true;
    try {
      await settleAll([this.syncDirsLocked(batchTouched), this.modseqs.flush(), ...(journal.length > 0 ? [this.files.appendJournal(Buffer.concat(journal))] : [])]);
    } catch (error) {
      await this.undoLocked(applied.map((a) => a.change));
      this.invalidate();
      for (const { pending } of applied) pending.reject(error);
      return;
    }
    if (broken) this.invalidate();
    // Durable: the other sessions hear of it, the callers get their answers, then (still under the
    // lock) the expunged files go for good; they sit in tmp/ already, where no reader looks, so the
    // answers need not wait a thread-pool round trip for the unlinks.
    for (const { change } of applied) {
      this.journalRecords += change.journaled;
      for (const notice of change.notices) this.notify(notice);
    }
    for (const { pending, value } of applied) pending.resolve(value);
    await forEachInFlight(applied.flatMap((a) => a.change.parked), RENAMES_IN_FLIGHT, (file) => unlink(file).catch(() => undefined));
    if (!broken) this.compactIfDue();
  }

  /** Renames the changes' files back where they were, newest first, and syncs what they touched (best effort). */
  private async undoLocked(changes: AppliedChange[]): Promise<void> {
    const touched = new Set<Sub>();
    for (const change of [...changes].reverse()) {
      for (const [from, to] of [...change.renamed].reverse()) await rename(to, from).catch(() => undefined);
      for (const sub of change.touched) touched.add(sub);
    }
    await this.syncDirsLocked(touched).catch(() => undefined);
  }

  /** Reads the uid list and the disk once; true if it did so now. */
  private async loadLocked(): Promise<boolean> {
    this.assertExists();
    if (this.loaded) return false;
    await removeTmpDebris(this.place.maildir);
    let list = await readUidList(this.place.maildir);
    const journal = await readJournal(this.place.maildir);
    // A list naming a generation always has its journal beside it (writeListLocked), so a missing
    // journal was lost, with UIDs in it; records that contradict the list are as bad. Either way the
    // list is as untrustworthy as a corrupt one.
    if (list !== null && list.journal !== undefined && !journal.exists) list = null;
    if (list !== null && journal.records.length > 0) list = replayJournal(list, journal.records);
    // An expunge does not rewrite the list (expunge()): entries whose file is gone are dropped
    // here, before the mod-sequences are read, so their expunge keeps the mod-sequence it had.
    let dropped: number[] = [];
    if (list !== null) {
      const onDisk = await listMessageFiles(this.place.maildir);
      const present = list.messages.filter((m) => onDisk.has(m.base));
      if (present.length < list.messages.length) {
        const kept = new Set(present);
        dropped = list.messages.filter((m) => !kept.has(m)).map((m) => m.uid);
        list = { ...list, messages: present };
      }
    }
    if (list === null) {
      // Missing or corrupt: UIDs from before cannot be trusted, so every
      // message gets a new one under a new, greater UIDVALIDITY.
      this.uidValidity = await this.place.issuer.issue(this.place.userMaildir);
      this.uidNext = 1;
      this.keywords = [];
    } else {
      this.uidValidity = list.uidValidity;
      this.uidNext = list.uidNext;
      this.keywords = list.keywords;
      for (const message of list.messages) this.remember({ ...message, sub: "new", file: "", info: "" });
    }
    this.journalGeneration = list?.journal ?? 0;
    await this.modseqs.load(this.uidValidity, [...this.byUid.keys()], list !== null);
    this.journalRecords = 0;
    this.listedMessages = this.byUid.size;
    // Whatever the journal holds is folded into the list now (compaction on
    // open), so a torn tail a crash left never sits before new records.
    this.journalDirty = this.journalTorn = journal.bytes > 0;
    await this.syncLocked(list === null || journal.bytes > 0 || dropped.length > 0);
    this.loaded = true;
    this.notify({ kind: "expunged", uids: dropped });
    return true;
  }

  /**
   * Reconciles the cached view with new/ and cur/: entries whose file is gone
   * are expunged, renamed files update flags, and files without a UID (a
   * foreign delivery, or a lost list) get new UIDs in base-name order — which
   * is arrival order for names that start with the time, as Maildir's do.
   */
  private async syncLocked(forceWrite: boolean): Promise<void> {
    const stamps = [stampDir(this.dirs.new), stampDir(this.dirs.cur)];
    const listed = this.listedStamps;
    if (!forceWrite && this.loaded && listed !== null && listed[0] === stamps[0].key && listed[1] === stamps[1].key) return;
    this.listedStamps = null;
    this.listingCount += 1;
    const onDisk = await listMessageFiles(this.place.maildir, this.byUid.size <= SYNC_LISTING_MAX_MESSAGES);
    const expunged: number[] = [];
    const flagged: number[] = [];
    for (const entry of [...this.byUid.values()]) {
      const file = onDisk.get(entry.base);
      if (file === undefined) {
        this.forget(entry.uid);
        expunged.push(entry.uid);
        continue;
      }
      onDisk.delete(entry.base);
      if (entry.file === file.file && entry.sub === file.sub) continue;
      if (entry.file !== "" && file.info !== entry.info) flagged.push(entry.uid);
      entry.sub = file.sub;
      entry.file = file.file;
      entry.info = file.info;
    }
    let added: number[] = [];
    const uidNextBefore = this.uidNext;
    const unknown = [...onDisk.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [base, file] of unknown) {
      const info = await statMessageFile(path.join(this.place.maildir, file.sub, file.file));
      if (info === null) continue;
      const entry: Entry = { uid: this.takeUid(), base, size: info.size, date: Math.floor(info.mtimeMs), keywords: [], ...file };
      this.remember(entry);
      added.push(entry.uid);
    }
    if (forceWrite || expunged.length > 0 || added.length > 0) {
      try {
        await this.writeListLocked({ keepView: true });
      } catch {
        // A full or failing disk must not stop reads: serve what the list already holds. Files
        // that have no UID yet stay unannounced (a UID is never shown before it is on disk) and
        // are numbered once a list write succeeds; vanished ones are gone either way.
        for (const uid of added) this.forget(uid);
        this.uidNext = uidNextBefore;
        added = [];
      }
    }
    // Unless files were left without a UID above, the view now holds what the stamped directories held.
    if (stamps.every((stamp) => stamp.settled) && unknown.length === added.length) this.listedStamps = [stamps[0].key, stamps[1].key];
    // Changes found on disk take mod-sequences too.
    await this.modseqs.record("expunged", expunged);
    await this.modseqs.record("changed", [...flagged, ...added]);
    this.publish();
    this.notify({ kind: "expunged", uids: expunged });
    this.notify({ kind: "flags", uids: flagged });
    this.notify({ kind: "added", uids: added });
  }

  private async commitPendingLocked(): Promise<void> {
    const waiting = this.pending.splice(0);
    try {
      await this.loadLocked();
      this.assertExists();
      const batch: PendingAppend[] = [];
      const spellings: string[][] = [];
      // A message over the keyword limit fails alone, not the whole batch.
      for (const item of waiting) {
        try {
          spellings.push(this.canonicalKeywords(item.flags.keywords, true).spelled);
          batch.push(item);
        } catch (error) {
          item.error = error;
          await discardMessage(this.place.maildir, item.staged, null);
        }
      }
      await this.commitLocked(batch, spellings);
    } catch (error) {
      // Not one of them was reported stored: every file is out again (commitLocked took back the published ones).
      for (const item of waiting) {
        item.error ??= error;
        await discardMessage(this.place.maildir, item.staged, null).catch(() => undefined);
      }
      this.invalidate();
    } finally {
      for (const item of waiting) item.done = true;
    }
    const added = waiting.filter((item) => item.error === undefined).map((item) => item.uid);
    this.notify({ kind: "added", uids: added });
    this.compactIfDue();
  }

  /**
   * Gives each staged message a UID and publishes the batch durably. On
   * failure every published file is taken back out before it throws: the
   * caller reports none of them stored.
   */
  private async commitLocked(batch: PendingAppend[], spellings: string[][]): Promise<void> {
    if (batch.length === 0) return;
    // Journal records must continue a list generation known to be on disk.
    if (this.listWriteOwed) await this.writeListLocked();
    const published = new Map<PendingAppend, MessageFile>();
    try {
      // UIDs first: the journal append then runs side by side with the renames and the directory
      // fsyncs, and all of it finishes before anyone hears "stored". A crash in between leaves a
      // journaled UID whose file never reached new/ (forgotten on load) or a file in new/ without a
      // UID (given one on load): complete either way, and never announced to anyone.
      const entries: UidListEntry[] = [];
      for (const [i, item] of batch.entries()) {
        const { base, size, date } = item.staged;
        item.uid = this.takeUid();
        entries.push({ uid: item.uid, base, size, date, keywords: spellings[i]! });
      }
      this.journalDirty = true;
      const journaled = this.files.appendJournal(formatJournalRecords(this.uidValidity, this.journalGeneration, entries));
      const touched = new Set<Sub>();
      const publishing = settleAll(
        // Every rename at once: each is one thread-pool job and none waits for another.
        batch.map(async (item, i) => {
          const file = await publishMessage(this.place.maildir, item.staged, publishedInfo(item.flags, spellings[i]!));
          published.set(item, file);
          touched.add(file.sub);
        }),
      ).then(() => this.syncDirsLocked(touched));
      // New messages take a mod-sequence in the same round of writes (RFC 7162 §3.1: HIGHESTMODSEQ grows).
      const stamped = this.modseqs.record("changed", entries.map((e) => e.uid));
      await settleAll([journaled, publishing, stamped]);
      this.journalRecords += entries.length;
      for (const [i, item] of batch.entries()) this.remember({ ...entries[i]!, ...published.get(item)! });
    } catch (error) {
      for (const [item, file] of published) await discardMessage(this.place.maildir, item.staged, file).catch(() => undefined);
      throw error;
    }
  }

  private compactIfDue(): void {
    if (this.journalRecords + this.staleInList > Math.max(JOURNAL_COMPACT_MIN_RECORDS, this.listedMessages)) this.scheduleCompaction();
  }

  /**
   * Rewrites the list after the batch that made it due was acknowledged, not
   * before: the compaction's cost lands on no delivery's 250. A failed one
   * changes nothing on disk that the reload could misread.
   */
  private scheduleCompaction(): void {
    if (this.compactionQueued) return;
    this.compactionQueued = true;
    void this.lock.run(async () => {
      this.compactionQueued = false;
      if (!this.loaded || this.gone) return;
      try {
        await this.writeListLocked();
      } catch {
        this.invalidate();
      }
    });
  }

  /**
   * Renames the file of each entry to `target(entry)`, RENAMES_IN_FLIGHT at a
   * time: one after another, a 10,000-message STORE or EXPUNGE would wait for
   * 10,000 thread-pool round trips in turn. `renamed` is called for each one
   * done (the entry still names the old place). A file another program moved
   * meanwhile (its own flag change) is looked for once for the whole batch —
   * one listing, not one per file — and renamed from where it is. Returns the
   * entries whose file is gone. On another error it throws once every rename
   * in flight has settled, so `renamed` has seen all that happened.
   */
  private async renameAllLocked(entries: Entry[], target: (entry: Entry) => string, renamed: (entry: Entry, from: string, to: string) => void): Promise<Entry[]> {
    const renameEach = async (batch: Entry[]): Promise<Entry[]> => {
      const missing: Entry[] = [];
      await forEachInFlight(batch, RENAMES_IN_FLIGHT, async (entry) => {
        const from = this.pathOf(entry);
        const to = target(entry);
        try {
          await renameFile(from, to);
        } catch (error) {
          if (!isMissing(error)) throw error;
          missing.push(entry);
          return;
        }
        renamed(entry, from, to);
      });
      return missing;
    };
    const missing = await renameEach(entries);
    if (missing.length === 0) return [];
    const onDisk = await listMessageFiles(this.place.maildir);
    const gone: Entry[] = [];
    const moved: Entry[] = [];
    for (const entry of missing) {
      const file = onDisk.get(entry.base);
      if (file === undefined) gone.push(entry);
      else moved.push(Object.assign(entry, file));
    }
    return [...gone, ...(await renameEach(moved))];
  }

  /** Finds a moved file again; raises MessageGone (and records the expunge) if it is gone. */
  private async relocateLocked(entry: Entry): Promise<Entry> {
    const found = await locateMessageFile(this.place.maildir, entry.base);
    // Another program's change, found here rather than by a look at the disk: nothing published shows it.
    if (found !== null) {
      this.published = this.verifiedStamps = null;
      return Object.assign(entry, found);
    }
    this.forget(entry.uid);
    await this.writeListLocked();
    await this.modseqs.record("expunged", [entry.uid]);
    this.notify({ kind: "expunged", uids: [entry.uid] });
    throw new MessageGone(entry.uid);
  }

  private async syncDirsLocked(touched: Set<Sub>): Promise<void> {
    await settleAll([...touched].map((sub) => this.files.syncDir(sub)));
  }

  /**
   * Writes the whole list as a new generation, then empties the journal
   * (compaction). A crash after the list write leaves journal records of the
   * old generation, which the new list already holds and replay ignores.
   */
  private async writeListLocked(options: { keepView?: boolean } = {}): Promise<void> {
    const generation = this.journalGeneration + 1;
    try {
      // The journal exists before any list naming a generation does (the list's own directory fsync
      // covers it), so on load a missing journal means a lost one, not a young mailbox.
      await this.files.ensureJournal();
      await writeUidList(this.place.maildir, { ...this.listOf(), journal: generation });
    } catch (error) {
      // The new list may be on disk or not; appending under either generation could be wrong. Either
      // the view is dropped and rebuilt from what the disk holds, or (keepView, for reads) it is kept
      // and the write is owed: nothing is appended until a list of a still newer generation is written.
      if (options.keepView) {
        this.journalGeneration = generation;
        this.listWriteOwed = true;
      } else {
        this.invalidate();
      }
      throw error;
    }
    this.listWriteOwed = false;
    this.journalGeneration = generation;
    this.journalRecords = 0;
    this.staleInList = 0;
    this.listedMessages = this.byUid.size;
    if (this.journalDirty) {
      await this.files.truncateJournal(this.journalTorn);
      this.journalDirty = this.journalTorn = false;
    }
  }

  // ---- state helpers --------------------------------------------------------

  private listOf(): UidList {
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      keywords: [...this.keywords],
      messages: [...this.byUid.values()].map(({ uid, base, size, date, keywords }) => ({ uid, base, size, date, keywords })),
    };
  }

  private statusOfView(): MailboxStatus {
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      messages: Array.from(this.byUid.values(), (e) => this.messageInfoOf(e)),
      keywords: [...this.keywords],
      highestModseq: this.modseqs.highest,
    };
  }

  /** Records the view as the published state; callers are at a point where it is durable and whole. */
  private publish(): void {
    if (!this.loaded || this.gone || this.byUid.size > SYNC_LISTING_MAX_MESSAGES) {
      this.published = null;
      this.verifiedStamps = null;
      return;
    }
    const files = new Map<string, PublishedFile>();
    // Copied: an entry's sub and file change in place when it is renamed.
    for (const entry of this.byUid.values()) files.set(entry.base, { sub: entry.sub, file: entry.file });
    this.published = { status: this.statusOfView(), files };
    this.verifiedStamps = null;
  }

  private entriesByBase(): Map<string, Entry> {
    const byBase = new Map<string, Entry>();
    for (const entry of this.byUid.values()) byBase.set(entry.base, entry);
    return byBase;
  }

  /**
   * An entry as status() reports it. A mailbox of 10,000 messages is reported
   * on every SELECT and every update a session hears of, so the object is
   * built again only when something in it changed; it is frozen, as every
   * caller gets the same one.
   */
  private messageInfoOf(entry: Entry): MessageInfo {
    const modseq = this.modseqs.modseqOf(entry.uid);
    const shown = entry.shown;
    if (shown !== undefined && shown.message.modseq === modseq && shown.info === entry.info && shown.keywords === entry.keywords) return shown.message;
    const message: MessageInfo = Object.freeze({
      uid: entry.uid,
      size: entry.size,
      flags: Object.freeze(flagsOf(entry.info, entry.keywords)) as Flag[],
      internalDate: new Date(entry.date),
      modseq,
    });
    entry.shown = { message, info: entry.info, keywords: entry.keywords };
    return message;
  }

  private takeUid(): number {
    if (this.uidNext > MAX_UID) {
      throw new Error(`mailbox ${JSON.stringify(this.name)} has used every UID; it needs a new UIDVALIDITY`);
    }
    return this.uidNext++;
  }

  private remember(entry: Entry): void {
    this.byUid.set(entry.uid, entry);
  }

  private forget(uid: number): boolean {
    const entry = this.byUid.get(uid);
    if (entry !== undefined) messageCache.delete(this.cacheKey(entry.base));
    return this.byUid.delete(uid);
  }

  private cacheKey(base: string): string {
    return `${this.place.maildir}\u0000${base}`;
  }

  private invalidate(): void {
    this.loaded = false;
    this.published = null;
    this.verifiedStamps = null;
    this.listedStamps = null;
    this.lastListing = null;
    this.listWriteOwed = false;
    this.byUid = new Map();
    // After an I/O error, descriptors are opened afresh rather than trusted.
    this.files.close();
  }

  private entryOrGone(uid: number): Entry {
    const entry = this.byUid.get(uid);
    if (entry === undefined) throw new MessageGone(uid);
    return entry;
  }

  private pathOf(entry: Entry): string {
    // A listed name is one plain segment (dot-files are skipped), so this is what path.join gives; "" is not yet found.
    return entry.file === "" ? this.dirs[entry.sub] : `${this.dirs[entry.sub]}/${entry.file}`;
  }

  private assertExists(): void {
    if (this.gone) throw new MailboxNotFound(this.user, this.name);
  }

  /**
   * Keywords in the mailbox's spelling (keywords compare case-insensitively).
   * With `register`, unknown ones join the mailbox's keyword list, up to
   * MAX_KEYWORDS_PER_MAILBOX; without it (removal) unknown ones are dropped.
   */
  private canonicalKeywords(words: readonly string[], register: boolean): { spelled: string[]; registered: boolean } {
    const known = new Map(this.keywords.map((k) => [k.toUpperCase(), k]));
    const spelled: string[] = [];
    const fresh: string[] = [];
    for (const word of words) {
      const existing = known.get(word.toUpperCase());
      if (existing !== undefined) spelled.push(existing);
      else if (register) {
        fresh.push(word);
        spelled.push(word);
        known.set(word.toUpperCase(), word);
      }
    }
    if (this.keywords.length + fresh.length > MAX_KEYWORDS_PER_MAILBOX) {
      throw new InvalidFlag(fresh[0]!, `the mailbox already has the maximum of ${MAX_KEYWORDS_PER_MAILBOX} keywords`);
    }
    this.keywords.push(...fresh);
    return { spelled, registered: fresh.length > 0 };
  }

  /**
   * Listeners are other sessions' code: one that throws must not break the
   * writer or the other listeners, so its error goes to onListenerError.
   */
  private notify(change: MailboxChange): void {
    if (change.uids.length === 0) return;
    // Every change is durable when it is told: published before any listener can ask for it —
    // if anyone asks. Publishing copies the whole view (O(messages) per change), so a mailbox that
    // only receives (SMTP/LMTP deliveries, no session watching it, no recent status()) drops the
    // published state instead; its next status() takes the lock.
    if (this.listeners.size > 0 || performance.now() - this.statusAskedMs < PUBLISH_AFTER_STATUS_MS) this.publish();
    else this.published = this.verifiedStamps = null;
    for (const listener of [...this.listeners]) {
      try {
        listener({ kind: change.kind, uids: [...change.uids] });
      } catch (error) {
        this.place.onListenerError(error);
      }
    }
  }
}

/** A new message's info letters: none (it goes to new/) unless it has flags or keywords (cur/, with its letters). */
function publishedInfo(flags: ParsedFlags, keywords: readonly string[]): string | null {
  return flags.letters.size > 0 || keywords.length > 0 ? [...flags.letters].sort().join("") : null;
}

function checkDate(date: Date | undefined): void {
  if (date !== undefined && Number.isNaN(date.getTime())) throw new TypeError("internalDate is not a valid date");
}

/**
 * Runs `each` over `items` with at most `limit` running at once; after a
 * failure no new one starts. Waits for those running, then throws the first error.
 */
async function forEachInFlight<T>(items: readonly T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await each(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await settleAll(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Waits for every operation (none is left running behind a failure), then throws the first error. */
async function settleAll(operations: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(operations);
  for (const result of results) if (result.status === "rejected") throw result.reason;
}

// The reference server's mail store: users' Maildirs under one data
// directory, `<root>/<user>/Maildir/` with Maildir++ folders inside. SMTP
// delivers through it, POP3 locks and reads through it, IMAP uses all of it.
// It hands out one MaildirMailbox per mailbox so every session shares its
// lock and its watchers; it serves one server process (see locks.ts). Folder
// operations of a user (CREATE, DELETE, RENAME) run alone, never in the middle
// of a multi-step command that holds the user's names (withStableNames).
// Standards: Maildir, Maildir++, RFC 1939 §8, RFC 3501 §2.3.1.1 and §6.3.

import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { DIR_MODE, fsyncDir } from "./durable.ts";
import {
  createFolder,
  deleteFolder,
  folderExists,
  listFolderDirs,
  readSubscriptions,
  renameFolders,
  renamePlan,
  writeSubscriptions,
} from "./folders.ts";
import { KeyedMutex, KeyedSharedExclusiveLock, MaildropLocks } from "./locks.ts";
import { ensureMaildir, listMessageFiles } from "./maildir.ts";
import { MaildirMailbox } from "./mailbox.ts";
import {
  canonicalMailboxName,
  checkUserName,
  folderDirName,
  mailboxLevels,
  mailboxMaildir,
  mailboxNameOfDir,
  userMaildir,
  type HierarchyDelimiter,
} from "./names.ts";
import type { FolderMailStore, Lock, Mailbox, MessageBytes } from "./types.ts";
import { InvalidName, MailboxExists, MailboxNotFound } from "./types.ts";
import { UidValidityIssuer, writeUidList } from "./uid-list.ts";

export interface MaildirStoreOptions {
  /** The delimiter of mailbox names in this store's API; on disk it is always ".". Default "/". */
  hierarchyDelimiter?: HierarchyDelimiter;
  /**
   * Where an exception thrown by a watch() listener goes; the store itself
   * carries on. Default: a process warning. The server passes its logger.
   */
  onListenerError?: (error: unknown) => void;
}

function warnAboutListener(error: unknown): void {
  process.emitWarning(error instanceof Error ? error : new Error(String(error)), "MailboxListenerError");
}

/** Opens (creating if needed) a Maildir store under `root`. */
export async function openMaildirStore(root: string, options: MaildirStoreOptions = {}): Promise<FolderMailStore> {
  const absolute = path.resolve(root);
  await mkdir(absolute, { recursive: true, mode: DIR_MODE });
  return new MaildirStore(absolute, options.hierarchyDelimiter ?? "/", options.onListenerError ?? warnAboutListener);
}

class MaildirStore implements FolderMailStore {
  private readonly mailboxes = new Map<string, MaildirMailbox>();
  // Session-state keys of renamed mailboxes, by the Maildir they moved to, until it is opened.
  private readonly renamedKeys = new Map<string, object>();
  private readonly issuer = new UidValidityIssuer();
  private readonly maildrops = new MaildropLocks();
  // Per user: CREATE, DELETE and RENAME exclusive; APPEND, COPY and MOVE shared (withStableNames).
  private readonly names = new KeyedSharedExclusiveLock();
  // Subscription changes of one user run one at a time (they rename no folder).
  private readonly subscriptionLocks = new KeyedMutex();
  private readonly readyInboxes = new Set<string>();

  constructor(
    readonly root: string,
    readonly hierarchyDelimiter: HierarchyDelimiter,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  async mailbox(user: string, name: string): Promise<Mailbox> {
    return this.open(user, name);
  }

  async deliver(user: string, message: MessageBytes): Promise<number> {
    return (await this.open(user, "INBOX")).append(message);
  }

  tryLockMaildrop(user: string): Lock | null {
    return this.maildrops.tryLock(checkUserName(user));
  }

  async listMailboxes(user: string): Promise<string[]> {
    const inbox = await this.inbox(user);
    const names = (await listFolderDirs(inbox))
      .map((dir) => mailboxNameOfDir(dir, this.hierarchyDelimiter))
      .filter((name): name is string => name !== null)
      .sort();
    return ["INBOX", ...names];
  }

  withStableNames<T>(user: string, section: () => Promise<T>): Promise<T> {
    return this.names.of(checkUserName(user)).runShared(section);
  }

  async createMailbox(user: string, name: string, options: { superiors?: boolean } = {}): Promise<void> {
    // The whole name is checked before anything touches the disk: a refused name leaves nothing behind.
    const dir = this.folderDir(name);
    const levels = mailboxLevels(name, this.hierarchyDelimiter);
    const superiors = options.superiors ? levels.slice(1).map((_, i) => this.folderDir(levels.slice(0, i + 1).join(this.hierarchyDelimiter))) : [];
    await this.names.of(checkUserName(user)).runExclusive(async () => {
      const inbox = await this.inbox(user);
      if (dir === "" || (await folderExists(inbox, dir))) throw new MailboxExists(user, this.canonical(name));
      const created: string[] = [];
      try {
        for (const superior of [...superiors.filter((d) => d !== ""), dir]) {
          if (await folderExists(inbox, superior)) continue;
          // Listed first: a folder whose creation failed halfway may exist already.
          created.push(superior);
          await createFolder(inbox, superior);
        }
      } catch (error) {
        // A CREATE that fails halfway takes back the superiors it made: NO means nothing changed.
        for (const made of created.reverse()) await deleteFolder(inbox, made).catch(() => undefined);
        throw error;
      }
    });
  }

  async deleteMailbox(user: string, name: string): Promise<void> {
    const dir = this.folderDir(name);
    if (dir === "") throw new InvalidName("mailbox", name, "INBOX cannot be deleted (RFC 3501 §6.3.4)");
    await this.names.of(checkUserName(user)).runExclusive(async () => {
      const inbox = await this.inbox(user);
      if (!(await folderExists(inbox, dir))) throw new MailboxNotFound(user, this.canonical(name));
      const maildir = path.join(inbox, dir);
      const open = this.mailboxes.get(maildir);
      if (open === undefined) return deleteFolder(inbox, dir);
      // Wait for the mailbox's running mutations, then retire it for every session.
      await open.exclusive(async () => {
        await deleteFolder(inbox, dir);
        open.markGone();
      });
      this.mailboxes.delete(maildir);
    });
  }

  async renameMailbox(user: string, from: string, to: string): Promise<void> {
    const fromDir = this.folderDir(from);
    const toDir = this.folderDir(to);
    if (toDir === "") throw new MailboxExists(user, "INBOX");
    await this.names.of(checkUserName(user)).runExclusive(async () => {
      const inbox = await this.inbox(user);
      if (await folderExists(inbox, toDir)) throw new MailboxExists(user, this.canonical(to));
      if (fromDir === "") return this.renameInbox(user, inbox, toDir);
      if (!(await folderExists(inbox, fromDir))) throw new MailboxNotFound(user, this.canonical(from));
      const plan = await renamePlan(inbox, fromDir, toDir);
      const existing = new Set(await listFolderDirs(inbox));
      const taken = plan.find(([, target]) => existing.has(target));
      if (taken !== undefined) throw new MailboxExists(user, mailboxNameOfDir(taken[1], this.hierarchyDelimiter) ?? taken[1]);
      // Sessions holding the old mailboxes learn they are gone; the moved
      // uid lists keep UIDVALIDITY and UIDs under the new names.
      for (const [source, target] of plan) {
        const maildir = path.join(inbox, source);
        const open = this.mailboxes.get(maildir);
        // Let running mutations finish in the old place first.
        if (open !== undefined) await open.exclusive(async () => open.markGone());
        this.mailboxes.delete(maildir);
        const key = open?.sessionKey ?? this.renamedKeys.get(maildir);
        this.renamedKeys.delete(maildir);
        if (key !== undefined) this.renamedKeys.set(path.join(inbox, target), key);
      }
      await renameFolders(inbox, plan);
    });
  }

  async listSubscriptions(user: string): Promise<string[]> {
    const lines = await readSubscriptions(await this.inbox(user));
    const names = lines.map((line) => (line === "INBOX" ? "INBOX" : mailboxNameOfDir("." + line, this.hierarchyDelimiter)));
    return [...new Set(names.filter((name): name is string => name !== null))].sort();
  }

  async subscribe(user: string, name: string): Promise<void> {
    const line = this.subscriptionLine(name);
    await this.subscriptionLocks.run(checkUserName(user), async () => {
      const inbox = await this.inbox(user);
      const lines = await readSubscriptions(inbox);
      if (!lines.includes(line)) await writeSubscriptions(inbox, [...lines, line]);
    });
  }

  async unsubscribe(user: string, name: string): Promise<void> {
    const line = this.subscriptionLine(name);
    await this.subscriptionLocks.run(checkUserName(user), async () => {
      const inbox = await this.inbox(user);
      const lines = await readSubscriptions(inbox);
      if (lines.includes(line)) await writeSubscriptions(inbox, lines.filter((l) => l !== line));
    });
  }

  // ---------------------------------------------------------------------------

  /**
   * The shared instance of a mailbox. It never holds the user's name lock (a
   * section already holding it must be able to open mailboxes), so it checks
   * instead that no DELETE or RENAME ran while it looked: an instance made
   * for a folder that was being renamed away would write into a directory
   * that no longer has that name.
   */
  private async open(user: string, name: string): Promise<MaildirMailbox> {
    const maildir = mailboxMaildir(this.root, user, name, this.hierarchyDelimiter);
    const inbox = await this.inbox(user);
    if (maildir !== inbox) {
      const names = this.names.of(user);
      for (;;) {
        await names.settled();
        const seen = names.changes;
        const exists = await folderExists(inbox, path.basename(maildir));
        if (names.changing || names.changes !== seen) continue;
        if (!exists) throw new MailboxNotFound(user, this.canonical(name));
        break;
      }
    }
    let mailbox = this.mailboxes.get(maildir);
    if (mailbox === undefined) {
      const sessionKey = this.renamedKeys.get(maildir);
      this.renamedKeys.delete(maildir);
      mailbox = new MaildirMailbox({
        ...(sessionKey !== undefined ? { sessionKey } : {}),
        user,
        name: this.canonical(name),
        maildir,
        userMaildir: inbox,
        issuer: this.issuer,
        onListenerError: this.onListenerError,
      });
      this.mailboxes.set(maildir, mailbox);
    }
    return mailbox;
  }

  /** The user's INBOX Maildir, created on first use. */
  private async inbox(user: string): Promise<string> {
    const inbox = userMaildir(this.root, user);
    if (!this.readyInboxes.has(inbox)) {
      await ensureMaildir(inbox, false);
      this.readyInboxes.add(inbox);
    }
    return inbox;
  }

  /**
   * RFC 3501 §6.3.5: renaming INBOX moves all its messages into a new
   * mailbox and leaves INBOX empty. The new mailbox's uid list is written
   * first (new UIDVALIDITY, same UIDs and keywords), then the files move; a
   * crash in between leaves each message in exactly one of the two.
   */
  private async renameInbox(user: string, inbox: string, toDir: string): Promise<void> {
    const source = await this.open(user, "INBOX");
    const target = path.join(inbox, toDir);
    await source.exclusive(async () => {
      const list = await source.snapshotLocked();
      await createFolder(inbox, toDir);
      await writeUidList(target, { ...list, uidValidity: await this.issuer.issue(inbox) });
      for (const [, file] of await listMessageFiles(inbox)) {
        await rename(path.join(inbox, file.sub, file.file), path.join(target, file.sub, file.file));
      }
      for (const dir of [target, inbox]) {
        await fsyncDir(path.join(dir, "new"));
        await fsyncDir(path.join(dir, "cur"));
      }
      await source.clearLocked();
    });
  }

  private folderDir(name: string): string {
    return folderDirName(name, this.hierarchyDelimiter);
  }

  private canonical(name: string): string {
    return canonicalMailboxName(name, this.hierarchyDelimiter);
  }

  private subscriptionLine(name: string): string {
    const dir = this.folderDir(name);
    return dir === "" ? "INBOX" : dir.slice(1);
  }
}

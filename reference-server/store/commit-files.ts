// The descriptors one mailbox keeps open between commits: its uid journal and
// its mod-sequence log (both appended with O_DSYNC) and its new/ and cur/
// directories (fsynced after renames). Opening and closing them per commit
// cost two extra thread-pool round trips per write on the delivery path; they
// are closed again after COMMIT_FILES_IDLE_MS without use, so idle mailboxes
// hold no descriptors.
// Standards: POSIX O_APPEND, O_DSYNC, fsync(2) on a directory (Linux).

import { constants } from "node:fs";
import path from "node:path";
import { diskOperation } from "./disk-faults.ts";
import { closeQuietly, fsyncDir, fsyncFd, isMissing, openFd, truncateFd, writeAll } from "./durable.ts";
import { MODSEQ_FILE } from "./modseq-log.ts";
import { UID_JOURNAL_FILE } from "./uid-journal.ts";

/** Descriptors unused this long are closed: a busy mailbox keeps them, thousands of idle ones do not. */
export const COMMIT_FILES_IDLE_MS = 10_000;

const JOURNAL_APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_DSYNC;
const MODSEQ_APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;
const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY;

type Name = "journal" | "modseq" | "new" | "cur";

interface Descriptor {
  fd: Promise<number>;
  /** Operations using it now: it is closed only when none is, or the number could be reused under one. */
  users: number;
  retired: boolean;
}

export class CommitFiles {
  private readonly open = new Map<Name, Descriptor>();
  private busy = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly maildir: string) {}

  /** Appends bytes to the journal; durable (data and size) when it resolves. */
  appendJournal(data: Buffer): Promise<void> {
    return this.use("journal", async (fd) => {
      diskOperation("write", path.join(this.maildir, UID_JOURNAL_FILE));
      await writeAll(fd, data);
    });
  }

  /** Appends bytes to the mod-sequence log (modseq-log.ts); durable (data and size) when it resolves. */
  appendModseq(data: Buffer): Promise<void> {
    return this.use("modseq", async (fd) => {
      diskOperation("write", path.join(this.maildir, MODSEQ_FILE));
      await writeAll(fd, data);
    });
  }

  /**
   * The mod-sequence log was replaced by a new file (a compaction renamed one
   * over it): the descriptor held names the old one, so the next append opens
   * the file anew. The caller has no append in flight (modseq-log.ts writes one at a time).
   */
  modseqReplaced(): void {
    const descriptor = this.open.get("modseq");
    if (descriptor === undefined) return;
    this.open.delete("modseq");
    this.retire(descriptor);
  }

  /** Creates the journal if it does not exist yet, its name durable in the Maildir. */
  ensureJournal(): Promise<void> {
    return this.use("journal", async () => undefined);
  }

  /** Makes the renames into new/ or cur/ durable. */
  syncDir(sub: "new" | "cur"): Promise<void> {
    return this.use(sub, async (fd) => {
      diskOperation("sync", path.join(this.maildir, sub));
      await fsyncFd(fd);
    });
  }

  /**
   * Empties the journal after a compaction. `durable` after a crash left
   * bytes in it: a torn tail must be gone for good before anything is
   * appended, or it would glue itself to the next record. Otherwise the
   * records left behind are of an older generation and ignored anyway.
   */
  truncateJournal(durable: boolean): Promise<void> {
    return this.use("journal", async (fd) => {
      await truncateFd(fd, 0);
      if (durable) await fsyncFd(fd);
    });
  }

  /**
   * Closes every descriptor (mailbox gone, or after an I/O error, to start
   * afresh); one still in use is closed when its operation ends. Later
   * operations open new ones.
   */
  close(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    for (const descriptor of this.open.values()) this.retire(descriptor);
    this.open.clear();
  }

  private async use(name: Name, operation: (fd: number) => Promise<void>): Promise<void> {
    this.busy += 1;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    let descriptor = this.open.get(name);
    if (descriptor === undefined) {
      descriptor = { fd: this.openDescriptor(name), users: 0, retired: false };
      this.open.set(name, descriptor);
    }
    descriptor.users += 1;
    try {
      await operation(await descriptor.fd);
    } catch (error) {
      // A descriptor that failed once is not trusted again.
      if (this.open.get(name) === descriptor) this.open.delete(name);
      descriptor.retired = true;
      throw error;
    } finally {
      descriptor.users -= 1;
      if (descriptor.retired) this.retire(descriptor);
      this.busy -= 1;
      if (this.busy === 0 && this.open.size > 0) {
        this.idleTimer = setTimeout(() => this.close(), COMMIT_FILES_IDLE_MS);
        this.idleTimer.unref();
      }
    }
  }

  private retire(descriptor: Descriptor): void {
    descriptor.retired = true;
    if (descriptor.users > 0) return;
    // Only once: a second close could hit a number reused by a newer open.
    descriptor.users = Number.POSITIVE_INFINITY;
    descriptor.fd.then(closeQuietly, () => undefined);
  }

  private async openDescriptor(name: Name): Promise<number> {
    if (name === "modseq") return openFd(path.join(this.maildir, MODSEQ_FILE), MODSEQ_APPEND);
    if (name !== "journal") return openFd(path.join(this.maildir, name), DIRECTORY);
    const file = path.join(this.maildir, UID_JOURNAL_FILE);
    try {
      return await openFd(file, JOURNAL_APPEND);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    // First use: the journal's own name must be durable before any record
    // in it is relied on, so the Maildir directory is fsynced once.
    const fd = await openFd(file, JOURNAL_APPEND | constants.O_CREAT);
    try {
      await fsyncDir(this.maildir);
    } catch (error) {
      closeQuietly(fd);
      throw error;
    }
    return fd;
  }
}

// The disk operations every durable write in the store is built from:
// write a new file whose bytes are durable when the write returns, fsync a
// directory (so a create or rename in it survives a crash), replace a small
// file atomically, and the descriptor-level calls behind them. deliver.ts,
// uid-list.ts, commit-files.ts and folders.ts use them; nothing else syncs.
// Each write, sync and commit rename passes disk-faults.ts first (tests inject failures there).
// A throwaway server (config store.durable: false) turns every sync off here, in one place.
// Standards: POSIX rename(2) atomicity, O_DSYNC / fdatasync(2) (synchronized I/O data integrity); fsync(2) on a directory persists its entries (Linux).

import { close, closeSync, constants, fsync, ftruncate, futimes, open as openCallback, renameSync, write, writev } from "node:fs";
import { rename, unlink } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { diskOperation } from "./disk-faults.ts";

/** Mail is private: files and directories are readable by the server's user only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/**
 * The one switch of a throwaway store: a server configured with
 * `store: { durable: false }` (the bundled server of `mailconform run`, whose
 * data directory is deleted when it stops) has every O_DSYNC open, fsync(2)
 * of a file and fsync(2) of a directory below skipped. Writes and renames are
 * unchanged, so a commit is still atomic, only not crash-proof. Counted per
 * thread (a worker's modules are its own): while any durable server runs in
 * it, or none at all (the store used alone), everything is synced.
 */
let durableServers = 0;
let throwawayServers = 0;

function syncing(): boolean {
  return durableServers > 0 || throwawayServers === 0;
}

/** A starting server declares its store's durability; it calls the returned function once stopped. */
export function holdStoreDurability(durable: boolean): () => void {
  if (durable) durableServers += 1;
  else throwawayServers += 1;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (durable) durableServers -= 1;
    else throwawayServers -= 1;
  };
}

/**
 * A new file written once and durable when its single write returns:
 * O_DSYNC gives "synchronized I/O data integrity completion" (POSIX), i.e.
 * the bytes AND the metadata needed to read them back — the file size and
 * block allocation — are on disk, exactly what fdatasync(2) would add, in one
 * system call instead of two. The file's name in its directory is not covered:
 * callers rename it and fsync the target directory (or replaceFile does).
 * O_EXCL: a name that exists already is an error, never overwritten.
 */
const NEW_FILE_DATA_SYNC = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
/** Linux's limit on the buffers of one writev(2) (sysconf(_SC_IOV_MAX)). */
const IOV_MAX = 1024;

/**
 * Writes a file that must not exist yet and makes its bytes durable. With an
 * mtime (an IMAP APPEND's internal date) the date must be as durable as the
 * bytes, and only a full fsync(2) covers timestamps; without one the O_DSYNC
 * write alone suffices (the uid list keeps the internal date).
 */
export async function writeNewFile(file: string, data: Buffer | readonly Buffer[] | string, mtime?: Date): Promise<void> {
  const bytes = typeof data === "string" ? Buffer.from(data) : data;
  diskOperation("write", file);
  const fd = await openFd(file, mtime === undefined ? NEW_FILE_DATA_SYNC : NEW_FILE, FILE_MODE);
  try {
    await (Buffer.isBuffer(bytes) ? writeAll(fd, bytes) : writeAllParts(fd, bytes));
    if (mtime !== undefined) {
      await new Promise<void>((resolve, reject) => futimes(fd, mtime, mtime, (e) => (e ? reject(e) : resolve())));
      await fsyncFd(fd);
    }
  } catch (error) {
    closeQuietly(fd);
    // A write cut short by a full disk would otherwise keep its blocks until the 36-hour tmp/ sweep.
    await unlink(file).catch(() => undefined);
    throw error;
  }
  // On this thread: the bytes are durable already, so close(2) has nothing to
  // flush and returns at once; through the thread pool it was one more job per
  // delivery, queued beside the commit's syncs. It releases the descriptor even
  // when it reports an error.
  closeNow(fd);
}

/** Makes the entries of a directory (creates, renames, unlinks) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  if (!syncing()) return;
  diskOperation("sync", dir);
  const fd = await openFd(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

// Descriptor-level calls on the callback API: one thread-pool job each and
// no FileHandle object per call (the promise API's FileHandle costs a
// wrapper, a GC finaliser and a promise per operation on the hot path).

/** Opens a descriptor; O_DSYNC in `flags` is dropped for a throwaway store (the journals open through here too). */
export function openFd(file: string, flags: number, mode = FILE_MODE): Promise<number> {
  const opened = syncing() ? flags : flags & ~constants.O_DSYNC;
  return new Promise((resolve, reject) => openCallback(file, opened, mode, (e, fd) => (e ? reject(e) : resolve(fd))));
}

/** Writes all of `data` at the descriptor's position (the end, for O_APPEND), looping over short writes. */
export async function writeAll(fd: number, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    offset += await new Promise<number>((resolve, reject) =>
      write(fd, data, offset, data.length - offset, null, (e, written) => (e ? reject(e) : resolve(written))),
    );
  }
}

/**
 * Writes `parts` in order with writev(2), at most IOV_MAX of them a call, looping
 * over short writes. On an O_DSYNC descriptor each call is one flush: a message
 * handed over in pieces costs no joined copy and, below IOV_MAX pieces, no
 * extra flush.
 */
export async function writeAllParts(fd: number, parts: readonly Buffer[]): Promise<void> {
  let pending = parts.filter((part) => part.length > 0);
  while (pending.length > 0) {
    const batch = pending.slice(0, IOV_MAX);
    let written = await new Promise<number>((resolve, reject) => writev(fd, batch, null, (e, n) => (e ? reject(e) : resolve(n))));
    let done = 0;
    while (done < batch.length && written >= batch[done]!.length) written -= batch[done++]!.length;
    // A short write: the rest of the part it stopped in, then the parts after it.
    pending = done < batch.length ? [batch[done]!.subarray(written), ...pending.slice(done + 1)] : pending.slice(done);
  }
}

export function fsyncFd(fd: number): Promise<void> {
  if (!syncing()) return Promise.resolve();
  return new Promise((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
}

export function truncateFd(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) => ftruncate(fd, length, (e) => (e ? reject(e) : resolve())));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (e) => (e ? reject(e) : resolve())));
}

/** close(2) on the calling thread, for a descriptor with nothing left to flush; an error only means it is gone already. */
export function closeNow(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Released all the same (POSIX leaves it unspecified, Linux always frees it).
  }
}

/** Closes without waiting; an error only means the descriptor is gone already. */
export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}

/**
 * Replaces `file` with `data` so that a crash leaves either the old or the
 * new content, never a mix: write a sibling temp file, fsync, rename over,
 * fsync the directory.
 */
export async function replaceFile(file: string, data: Buffer | string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await writeNewFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(path.dirname(file));
}

/** rename(2) of a message file that commits a change (publish, flag change, expunge). */
export async function renameFile(from: string, to: string): Promise<void> {
  diskOperation("rename", to);
  await rename(from, to);
}

/**
 * renameFile on the calling thread, for the one rename on a delivery's path
 * to its 250: a thread-pool round trip costs two wake-ups, each a scheduling
 * delay on a busy machine (0.1–0.8 ms median at load 16 here, against 0.05 ms
 * for rename(2) itself).
 */
export function renameFileNow(from: string, to: string): void {
  diskOperation("rename", to);
  renameSync(from, to);
}

/** True for the error a vanished file gives; other errors are real trouble. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

// The three disk operations every durable write in the store is built from:
// write-and-fsync a new file, fsync a directory (so a create or rename in it
// survives a crash), and replace a small file atomically. deliver.ts,
// uid-list.ts and folders.ts use them; nothing else calls fsync.
// Standards: POSIX rename(2) atomicity; fsync(2) on a directory persists its entries (Linux).

import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { randomBytes } from "node:crypto";

/** Mail is private: files and directories are readable by the server's user only. */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Writes a file that must not exist yet, fsyncs it, optionally sets its mtime, and closes it. */
export async function writeNewFile(file: string, data: Buffer | string, mtime?: Date): Promise<void> {
  const handle = await open(file, "wx", FILE_MODE);
  try {
    await handle.writeFile(data);
    // Before fsync, so the date is as durable as the bytes.
    if (mtime !== undefined) await handle.utimes(mtime, mtime);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the entries of a directory (creates, renames, unlinks) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
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

/** True for the error a vanished file gives; other errors are real trouble. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "ENOENT";
}

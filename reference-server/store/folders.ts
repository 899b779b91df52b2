// Maildir++ folders of one user on disk: listing, creating, deleting and
// renaming the ".Folder" directories inside the INBOX Maildir, and the
// subscriptions file. Pure disk work on already-checked names; maildir-store.ts
// adds locking and tells cached mailboxes that they moved or went away.
// Standards: Maildir++ folders; RFC 3501 §6.3.3-6.3.7 (CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE).

import { randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { fsyncDir, isMissing, replaceFile } from "./durable.ts";
import { ensureMaildir } from "./maildir.ts";
import { readMetadataFile } from "./metadata-file.ts";

/** Subscribed folders, one per line as their directory name without the leading "." ("INBOX" for INBOX). */
export const SUBSCRIPTIONS_FILE = "mailconform-subscriptions";

/**
 * Deleted folders are first renamed to this prefix (atomic: the folder is
 * gone at once), then removed. It has no leading ".", so a crash in between
 * never shows a half-deleted folder as a mailbox.
 */
const TRASH_PREFIX = "mailconform-trash.";

/**
 * The ".Folder" directory names inside a user's INBOX Maildir. Read synchronously, as on every
 * LIST: a few dozen entries in the page cache take microseconds, where an asynchronous readdir
 * waits in the thread pool behind other sessions' fsyncs (see metadata-file.ts).
 */
export async function listFolderDirs(inbox: string): Promise<string[]> {
  const entries = readdirSync(inbox, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && e.name.startsWith(".") && e.name !== "." && e.name !== "..").map((e) => e.name);
}

/**
 * True if the folder exists as a Maildir (it has cur/). Asked on every open of a folder (each
 * command, each mailbox of a quota check), so stat'd synchronously: the inode is in memory and
 * the stat takes microseconds, where an asynchronous one waits in the thread pool behind other
 * sessions' fsyncs (as listFolderDirs). Never cached: another program may remove the folder.
 */
export async function folderExists(inbox: string, dir: string): Promise<boolean> {
  try {
    return statSync(path.join(inbox, dir, "cur")).isDirectory();
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

export async function createFolder(inbox: string, dir: string): Promise<void> {
  await ensureMaildir(path.join(inbox, dir), true);
}

/** Removes a folder and its messages; its inferiors are separate directories and stay. */
export async function deleteFolder(inbox: string, dir: string): Promise<void> {
  const trash = path.join(inbox, TRASH_PREFIX + randomBytes(8).toString("hex"));
  await rename(path.join(inbox, dir), trash);
  await fsyncDir(inbox);
  await rm(trash, { recursive: true, force: true });
}

/**
 * The folder and its inferiors, as [from, to] directory pairs: RFC 3501
 * §6.3.5 renames inferior hierarchical names too.
 */
export async function renamePlan(inbox: string, fromDir: string, toDir: string): Promise<[string, string][]> {
  const dirs = await listFolderDirs(inbox);
  return dirs
    .filter((dir) => dir === fromDir || dir.startsWith(fromDir + "."))
    .map((dir) => [dir, toDir + dir.slice(fromDir.length)]);
}

/** Carries out a rename plan; the caller has checked that no target exists. */
export async function renameFolders(inbox: string, plan: readonly [string, string][]): Promise<void> {
  for (const [from, to] of plan) await rename(path.join(inbox, from), path.join(inbox, to));
  await fsyncDir(inbox);
}

/** Subscription lines (folder directory names without the dot, or "INBOX"). */
export async function readSubscriptions(inbox: string): Promise<string[]> {
  const text = readMetadataFile(path.join(inbox, SUBSCRIPTIONS_FILE), "utf8");
  return text === null ? [] : text.split("\n").filter((line) => line.length > 0);
}

export async function writeSubscriptions(inbox: string, lines: readonly string[]): Promise<void> {
  await replaceFile(path.join(inbox, SUBSCRIPTIONS_FILE), lines.map((line) => line + "\n").join(""));
}

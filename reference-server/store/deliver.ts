// How a message file comes into a Maildir without a crash ever leaving a
// visible partial message: write it under a unique name in tmp/, durably
// (stage), then rename it into new/ or cur/ (publish); the caller fsyncs the
// target directory once per batch before anyone is told "stored". A crash
// before the rename leaves only tmp/ debris, which no one lists.
// Standards: Maildir delivery (cr.yp.to/proto/maildir.html), RFC 5321 §6.1 (accept only once stored).

import { unlink } from "node:fs/promises";
import path from "node:path";
import { isMissing, renameFile, writeNewFile } from "./durable.ts";
import { curFileName, uniqueBaseName, type MessageFile } from "./maildir.ts";

export interface StagedMessage {
  base: string;
  size: number;
  /** Internal date, ms since the epoch (whole seconds); the file's mtime for an append that gave one. */
  date: number;
}

/**
 * Writes the message into tmp/, durable when this resolves (see
 * writeNewFile). An append's internal date becomes the file's mtime, synced
 * with it; a delivery's date is now, which the file's own mtime already is
 * to within a second, so it skips the extra utimes and full fsync — the uid
 * list (journal) records the date either way.
 */
export async function stageMessage(maildir: string, message: Buffer, internalDate?: Date): Promise<StagedMessage> {
  const base = uniqueBaseName(message.length);
  // Whole seconds: IMAP's date-time has no finer unit, and file systems differ below it.
  const date = new Date(Math.floor((internalDate ?? new Date()).getTime() / 1000) * 1000);
  await writeNewFile(path.join(maildir, "tmp", base), message, internalDate === undefined ? undefined : date);
  return { base, size: message.length, date: date.getTime() };
}

/**
 * Moves a staged message into new/ (no flags: an unseen delivery) or cur/
 * with its info letters. rename(2) is atomic, and the unique name means it
 * never replaces another message.
 */
export async function publishMessage(maildir: string, staged: StagedMessage, info: string | null): Promise<MessageFile> {
  const target: MessageFile =
    info === null
      ? { sub: "new", file: staged.base, info: "" }
      : { sub: "cur", file: curFileName(staged.base, info), info };
  await renameFile(path.join(maildir, "tmp", staged.base), path.join(maildir, target.sub, target.file));
  return target;
}

/** Removes a staged or published message after a failed commit; it was never reported stored. */
export async function discardMessage(maildir: string, staged: StagedMessage, published: MessageFile | null): Promise<void> {
  const file = published === null ? path.join(maildir, "tmp", staged.base) : path.join(maildir, published.sub, published.file);
  await unlink(file).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
}

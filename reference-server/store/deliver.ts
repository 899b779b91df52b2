// How a message file comes into a Maildir without a crash ever leaving a
// visible partial message: write it under a unique name in tmp/, durably
// (stage), then rename it into new/ or cur/ (publish); the caller fsyncs the
// target directory once per batch before anyone is told "stored". A crash
// before the rename leaves only tmp/ debris, which no one lists.
// Standards: Maildir delivery (cr.yp.to/proto/maildir.html), RFC 5321 §6.1 (accept only once stored).

import { unlink } from "node:fs/promises";
import path from "node:path";
import { isMissing, renameFile, renameFileNow, writeNewFile } from "./durable.ts";
import { curFileName, uniqueBaseName, type MessageFile } from "./maildir.ts";
import { messageLength, type MessageBytes } from "./types.ts";

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
export async function stageMessage(maildir: string, message: MessageBytes, internalDate?: Date): Promise<StagedMessage> {
  const size = messageLength(message);
  const base = uniqueBaseName(size);
  // Whole seconds: IMAP's date-time has no finer unit, and file systems differ below it.
  const date = new Date(Math.floor((internalDate ?? new Date()).getTime() / 1000) * 1000);
  await writeNewFile(path.join(maildir, "tmp", base), message, internalDate === undefined ? undefined : date);
  return { base, size, date: date.getTime() };
}

/**
 * Renames a batch may make on the calling thread in one turn of the event
 * loop; the rest go through the thread pool, so a 10,000-message COPY does
 * not stop every other session for the time of 10,000 renames.
 */
export const RENAMES_NOW_PER_TURN = 8;
let renamesNowThisTurn = 0;

/**
 * Moves a staged message into new/ (no flags: an unseen delivery) or cur/
 * with its info letters. rename(2) is atomic, and the unique name means it
 * never replaces another message. The first RENAMES_NOW_PER_TURN of a turn
 * are made at once (renameFileNow): a group commit of deliveries then waits
 * for no thread-pool round trip between its files and its directory fsync.
 */
export async function publishMessage(maildir: string, staged: StagedMessage, info: string | null): Promise<MessageFile> {
  const target: MessageFile =
    info === null
      ? { sub: "new", file: staged.base, info: "" }
      : { sub: "cur", file: curFileName(staged.base, info), info };
  const from = path.join(maildir, "tmp", staged.base);
  const to = path.join(maildir, target.sub, target.file);
  if (renamesNowThisTurn < RENAMES_NOW_PER_TURN) {
    if (renamesNowThisTurn++ === 0) setImmediate(() => (renamesNowThisTurn = 0));
    renameFileNow(from, to);
  } else {
    await renameFile(from, to);
  }
  return target;
}

/** Removes a staged or published message after a failed commit; it was never reported stored. */
export async function discardMessage(maildir: string, staged: StagedMessage, published: MessageFile | null): Promise<void> {
  const file = published === null ? path.join(maildir, "tmp", staged.base) : path.join(maildir, published.sub, published.file);
  await unlink(file).catch((error: unknown) => {
    if (!isMissing(error)) throw error;
  });
}

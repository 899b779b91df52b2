// Object identifiers (RFC 8474). A mailbox's MAILBOXID is drawn at random the
// first time it is asked for and kept in a file inside the mailbox's own
// Maildir folder: it survives restarts, moves with the folder on RENAME, and
// goes with it on DELETE, so a mailbox created again under the same name gets
// a new one. The file is written whole and fsynced under a temporary name,
// then linked into place (link(2) fails if another session was first, whose
// id is then read). An EMAILID names a message's content: a digest of its
// octets, the same in every mailbox a copy of it lands in.
// Standards: RFC 8474 §4 (MAILBOXID), §5.1 (EMAILID), §7 (objectid syntax), §8.1 (assigning identifiers).

import { createHash, randomBytes } from "node:crypto";
import { link, unlink } from "node:fs/promises";
import path from "node:path";
import { fsyncDir, writeNewFile } from "./durable.ts";
import { readMetadataFile } from "./metadata-file.ts";
import { mailboxMaildir, type HierarchyDelimiter } from "./names.ts";

export const MAILBOX_ID_FILE = "mailconform-mailboxid";

/** objectid = 1*255(ALPHA / DIGIT / "_" / "-") */
const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** The MAILBOXID of an existing mailbox, made and stored on first use. */
export async function mailboxObjectId(root: string, user: string, name: string, delimiter: HierarchyDelimiter): Promise<string> {
  const file = path.join(mailboxMaildir(root, user, name, delimiter), MAILBOX_ID_FILE);
  const existing = await readId(file);
  if (existing !== null) return existing;
  // RFC 8474 §8.1: not starting with a digit or "-", never all digits, never "NIL": a letter first.
  const id = "F" + randomBytes(12).toString("hex");
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  await writeNewFile(temp, id);
  try {
    await link(temp, file);
    await fsyncDir(path.dirname(file));
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const theirs = await readId(file);
    if (theirs === null) throw new Error(`unreadable ${MAILBOX_ID_FILE} for mailbox ${name}`);
    return theirs;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function readId(file: string): Promise<string | null> {
  const text = readMetadataFile(file, "latin1")?.trim() ?? null;
  return text !== null && OBJECT_ID.test(text) ? text : null;
}

/** The EMAILID of a message: its content's digest, so identical content has one id wherever it is. */
export function emailObjectId(message: Buffer): string {
  return "M" + createHash("sha256").update(message).digest("hex").slice(0, 24);
}

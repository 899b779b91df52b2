// Special-use attributes a client gave a mailbox at CREATE (RFC 6154 §3),
// kept in a file inside the mailbox's own Maildir folder: they survive
// restarts, move with the folder on RENAME and go with it on DELETE. Written
// whole under a temporary name and renamed into place (replaceFile).
// Standards: RFC 6154 §2 (attributes), §3 (CREATE with USE).

import path from "node:path";
import { replaceFile } from "./durable.ts";
import { readMetadataFile } from "./metadata-file.ts";
import { mailboxMaildir, type HierarchyDelimiter } from "./names.ts";

export const SPECIAL_USE_FILE = "mailconform-special-use";

/** The attributes stored for a mailbox ("\Drafts" …), none when it has no file. */
export async function storedSpecialUse(root: string, user: string, name: string, delimiter: HierarchyDelimiter): Promise<string[]> {
  const text = readMetadataFile(path.join(mailboxMaildir(root, user, name, delimiter), SPECIAL_USE_FILE), "latin1");
  return text === null ? [] : text.split("\n").filter((line) => /^\\[A-Za-z]+$/.test(line));
}

export async function storeSpecialUse(root: string, user: string, name: string, delimiter: HierarchyDelimiter, attributes: readonly string[]): Promise<void> {
  await replaceFile(path.join(mailboxMaildir(root, user, name, delimiter), SPECIAL_USE_FILE), attributes.map((a) => a + "\n").join(""));
}

// The folder operations IMAP needs from the store. The Maildir store has them;
// a store without folders (the in-memory test store) offers INBOX only, and
// folder commands then answer NO [CANNOT].
// Standards: RFC 3501 §6.3.3-6.3.9.

import type { FolderMailStore, MailStore } from "../../store/types.ts";
import type { ImapSession } from "../states.ts";
import { Refusal } from "../vocabulary.ts";

export function foldersOf(store: MailStore): FolderMailStore | null {
  const candidate = store as Partial<FolderMailStore>;
  return typeof candidate.listMailboxes === "function" ? (store as FolderMailStore) : null;
}

export function folders(s: ImapSession): FolderMailStore {
  const f = foldersOf(s.context.store);
  if (!f) throw new Refusal("CANNOT", "this store has no mailbox hierarchy");
  return f;
}

/** The hierarchy delimiter the client sees. */
export function delimiter(s: ImapSession): string {
  return foldersOf(s.context.store)?.hierarchyDelimiter ?? "/";
}

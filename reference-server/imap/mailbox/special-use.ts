// The special-use mailboxes every user gets (created and subscribed on first
// login) and the attribute LIST shows for each.
// Standards: RFC 6154 §2 (\Sent, \Drafts, \Trash, \Junk), RFC 3501 §6.3.6.

import { MailboxExists, type FolderMailStore } from "../../store/types.ts";

export const SPECIAL_USE: ReadonlyMap<string, string> = new Map([
  ["Drafts", "\\Drafts"],
  ["Sent", "\\Sent"],
  ["Trash", "\\Trash"],
  ["Junk", "\\Junk"],
]);

const prepared = new WeakMap<FolderMailStore, Set<string>>();

export async function ensureSpecialUse(store: FolderMailStore, user: string): Promise<void> {
  let users = prepared.get(store);
  if (!users) prepared.set(store, (users = new Set()));
  if (users.has(user)) return;
  const existing = new Set(await store.listMailboxes(user));
  for (const name of SPECIAL_USE.keys()) {
    if (existing.has(name)) continue;
    try {
      await store.createMailbox(user, name);
      await store.subscribe(user, name);
    } catch (error) {
      // Another session of the same user created it first.
      if (!(error instanceof MailboxExists)) throw error;
    }
  }
  users.add(user);
}

// A mailbox's MAILBOXID for CREATE, SELECT / EXAMINE and STATUS; null on a
// store without folders (it has no place to keep one and does not advertise OBJECTID).
// Standards: RFC 8474 §4.1-§4.3.

import { mailboxObjectId } from "../../store/object-ids.ts";
import type { HierarchyDelimiter } from "../../store/names.ts";
import type { ImapSession } from "../states.ts";
import { foldersOf } from "./folders.ts";
import { viaStore } from "./store-errors.ts";

export async function mailboxId(s: ImapSession, name: string): Promise<string | null> {
  const f = foldersOf(s.context.store);
  if (!f) return null;
  return viaStore(s, () => mailboxObjectId(f.root, s.user!, name, f.hierarchyDelimiter as HierarchyDelimiter));
}

// Reading a message of the open mailbox for FETCH and SEARCH, through a
// small per-session cache (clients fetch the structure, then parts, of the
// same message in a row), and its analysis shared with every session reading
// the same bytes. A message another session expunged reads as null.
// Standards: RFC 3501 §6.4.5, RFC 2180 §4.1 (expunged messages).

import { MessageGone } from "../../store/types.ts";
import { PARSED_MESSAGE_CACHE_ENTRIES } from "../limits.ts";
import type { MailboxView, ViewMessage } from "../mailbox/view.ts";
import { storeFailure } from "../mailbox/store-errors.ts";
import type { ImapSession } from "../states.ts";
import { MessageView } from "./message-view.ts";

const caches = new WeakMap<MailboxView, Map<number, MessageView>>();
// The store hands every session the same bytes for a message while it keeps them in memory
// (store/message-cache.ts), so a message parsed for one session is parsed for all: keyed by those
// bytes, it lives exactly as long as they are kept somewhere.
const parsedBytes = new WeakMap<Buffer, MessageView>();

export async function loadMessage(s: ImapSession, view: MailboxView, m: ViewMessage): Promise<MessageView | null> {
  let cache = caches.get(view);
  if (!cache) caches.set(view, (cache = new Map()));
  const hit = cache.get(m.uid);
  if (hit) return hit;
  let raw: Buffer;
  try {
    raw = await view.mailbox.read(m.uid);
  } catch (error) {
    if (error instanceof MessageGone) return null;
    throw storeFailure(s, error);
  }
  let message = parsedBytes.get(raw);
  if (message === undefined) parsedBytes.set(raw, (message = new MessageView(raw)));
  cache.set(m.uid, message);
  if (cache.size > PARSED_MESSAGE_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return message;
}

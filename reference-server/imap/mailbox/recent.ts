// \Recent: a message is recent in exactly one session, the first that
// selects the mailbox (or learns of the message while selected) after it
// arrived. The store does not keep session state, so the claims live here,
// per mailbox object (the store hands every session the same one).
// Standards: RFC 3501 §2.3.2 (\Recent), §6.3.2 (EXAMINE does not claim).

import type { Mailbox } from "../../store/types.ts";

// Keyed by the mailbox's sessionKey, which a RENAME carries over to the mailbox under its new name.
const claimedUpTo = new WeakMap<object, number>();

/**
 * Which of these UIDs (ascending) are recent for the caller. With `claim`
 * (a read-write session) they stop being recent for every other session.
 */
export function takeRecent(mailbox: Mailbox, uids: readonly number[], claim: boolean): Set<number> {
  const key = mailbox.sessionKey;
  const claimed = claimedUpTo.get(key) ?? 0;
  const recent = new Set(uids.filter((uid) => uid > claimed));
  if (claim && uids.length > 0) claimedUpTo.set(key, Math.max(claimed, uids[uids.length - 1]!));
  return recent;
}

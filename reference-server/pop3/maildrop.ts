// Opening the maildrop after a successful login (lock, snapshot), and the
// argument checks every message-number command shares.
// Standards: RFC 1939 §4 (lock on entering TRANSACTION), §5 (msg arguments), §8, RFC 2449 §8.1.1.

import { ClientError, TempFailure } from "../core/errors.ts";
import { MAX_NUMBER_DIGITS } from "./limits.ts";
import type { Maildrop, Pop3Session } from "./states.ts";
import { ok, okList } from "./vocabulary.ts";

/**
 * Enter TRANSACTION as `user`: take the exclusive lock (-ERR [IN-USE] when
 * another session has it) and snapshot the messages.
 */
export async function openMaildrop(s: Pop3Session, user: string): Promise<void> {
  const lock = s.context.store.tryLockMaildrop(user);
  if (!lock) throw new ClientError("in-use", "maildrop already locked by another session");
  try {
    const mailbox = await s.context.store.mailbox(user, "INBOX");
    const status = await mailbox.status();
    s.maildrop = { mailbox, uidValidity: status.uidValidity, messages: status.messages, deleted: new Set() };
  } catch (error) {
    lock.release();
    s.context.log?.(`${s.conn.id} maildrop open failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new TempFailure("cannot open maildrop", { cause: error });
  }
  s.lock = lock;
  s.user = user;
  s.pendingUser = null;
  s.state = "transaction";
  const { count, octets } = totals(s.maildrop);
  ok(s, `${user}'s maildrop has ${count} messages (${octets} octets)`);
}

/** Messages not marked deleted, and their octets (STAT, RSET). */
export function totals(m: Maildrop): { count: number; octets: number } {
  let count = 0;
  let octets = 0;
  m.messages.forEach((info, i) => {
    if (m.deleted.has(i + 1)) return;
    count++;
    octets += info.size;
  });
  return { count, octets };
}

/** A non-negative decimal within range, for TOP's line count and similar. */
export function parseCount(text: string | undefined, what: string): number {
  if (text === undefined || !new RegExp(`^\\d{1,${MAX_NUMBER_DIGITS}}$`).test(text)) {
    throw new ClientError("syntax", `${what} must be a non-negative number`);
  }
  return Number(text);
}

/**
 * msg = a message number that exists and is not marked deleted (RFC 1939 §5:
 * "may NOT refer to a message marked as deleted"). 0, negative, non-numeric
 * and too-large numbers all get -ERR.
 */
export function messageNumber(s: Pop3Session, text: string | undefined): number {
  const m = s.maildrop!;
  const n = parseCount(text, "message number");
  if (n < 1 || n > m.messages.length) throw new ClientError("no-such-message", `no such message, only ${m.messages.length} in maildrop`);
  if (m.deleted.has(n)) throw new ClientError("no-such-message", `message ${n} already deleted`);
  return n;
}

/** Split arguments on single spaces, refusing more than `max` of them. */
export function splitArgs(args: string, max: number): string[] {
  const parts = args === "" ? [] : args.split(" ");
  if (parts.length > max) throw new ClientError("syntax", "too many arguments");
  return parts;
}

/**
 * LIST and UIDL share one shape (RFC 1939 §5, §7): with an argument, one
 * "n value" line for that message; without, a multiline listing of every
 * message not marked deleted. `value` gives a message's second field; "%d" in `title` becomes the count.
 */
export function answerListing(s: Pop3Session, args: string, title: string, value: (m: Maildrop, n: number) => string | number): void {
  const [arg] = splitArgs(args, 1);
  const m = s.maildrop!;
  if (arg !== undefined) {
    const n = messageNumber(s, arg);
    ok(s, `${n} ${value(m, n)}`);
    return;
  }
  const lines = m.messages.flatMap((_info, i) => (m.deleted.has(i + 1) ? [] : [`${i + 1} ${value(m, i + 1)}`]));
  okList(s, title.replace("%d", String(lines.length)), lines);
}

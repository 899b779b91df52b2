// The few header facts SORT and THREAD order by, read once per message and
// kept per open mailbox (a message's content never changes under its UID,
// so a client that sorts the same mailbox again reads no file): sent date,
// base subject, the first From / To / Cc mailbox, the display value of the
// first From / To address (SORT=DISPLAY), Message-ID and the references. Taken through the message analysis door (fetch-items/message-view.ts):
// ENVELOPE's address split, the decoded Subject, the parsed Date.
// Standards: RFC 5256 §2.1 (base subject), §2.2 (sent date), BASE.6.4.SORT (addr-mailbox of the first address),
// BASE.6.4.THREAD REFERENCES (which references count), RFC 3501 §7.4.2 (ENVELOPE), RFC 5957 §3-§4 (DISPLAYFROM, DISPLAYTO).

import { decodeWords } from "../message/mime-words.ts";
import { loadMessage } from "../fetch-items/load.ts";
import type { MailboxView, ViewMessage } from "../mailbox/view.ts";
import type { ImapSession } from "../states.ts";
import type { ImapValue } from "../value.ts";
import { baseSubject } from "./base-subject.ts";
import { collationKey } from "./collation.ts";
import { firstMessageId, messageIds } from "./message-ids.ts";

export interface SortFields {
  /** Milliseconds since the epoch, UTC: the Date field, else the internal date (RFC 5256 §2.2). */
  sentDate: number;
  /** Collation keys; an absent field is the empty string. */
  subject: Buffer;
  from: Buffer;
  to: Buffer;
  cc: Buffer;
  displayFrom: Buffer;
  displayTo: Buffer;
  replyOrForward: boolean;
  /** Normalised msg-id of the Message-ID field, or null when it has no valid one. */
  messageId: string | null;
  /** References, else the first valid In-Reply-To id, normalised (REFERENCES threading). */
  references: string[];
}

const caches = new WeakMap<MailboxView, Map<number, SortFields>>();

/** The fields of a message; null when another session expunged it meanwhile. */
export async function sortFields(s: ImapSession, view: MailboxView, m: ViewMessage): Promise<SortFields | null> {
  let cache = caches.get(view);
  if (!cache) caches.set(view, (cache = new Map()));
  const hit = cache.get(m.uid);
  if (hit) return hit;
  const message = await loadMessage(s, view, m);
  if (message === null) return null;
  const envelope = (await message.envelope()) as ImapValue[];
  const subject = baseSubject((await message.headerValues("Subject"))[0] ?? "");
  const references = messageIds((await message.headerValues("References"))[0] ?? "");
  const inReplyTo = firstMessageId(text(envelope[8] ?? null) ?? "");
  const fields: SortFields = {
    sentDate: ((await message.sentDate()) ?? m.internalDate).getTime(),
    subject: collationKey(subject.text),
    from: collationKey(firstMailbox(envelope[2] ?? null)),
    to: collationKey(firstMailbox(envelope[5] ?? null)),
    cc: collationKey(firstMailbox(envelope[6] ?? null)),
    displayFrom: collationKey(displayValue(envelope[2] ?? null)),
    displayTo: collationKey(displayValue(envelope[5] ?? null)),
    replyOrForward: subject.replyOrForward,
    messageId: firstMessageId(text(envelope[9] ?? null) ?? ""),
    references: references.length > 0 ? references : inReplyTo === null ? [] : [inReplyTo],
  };
  cache.set(m.uid, fields);
  return fields;
}

function text(v: ImapValue): string | null {
  if (v !== null && typeof v === "object" && "string" in v) return typeof v.string === "string" ? v.string : v.string.toString("utf8");
  return null;
}

/** The address structures of an envelope address list ("(" 1*address ")" / NIL), group markers included. */
function addresses(list: ImapValue): ImapValue[][] {
  if (!Array.isArray(list)) return [];
  const inner = list[0];
  const entries = inner !== null && inner !== undefined && typeof inner === "object" && "adjacent" in inner ? inner.adjacent : list;
  return entries.filter((a): a is ImapValue[] => Array.isArray(a));
}

/**
 * RFC 5957 §3: the first address's addr-name, encoded-words decoded, when that is not empty; else
 * addr-mailbox@addr-host, else addr-mailbox, else the empty string (also for NIL, §4).
 */
function displayValue(list: ImapValue): string {
  const first = addresses(list)[0];
  if (first === undefined) return "";
  const [name, , mailbox, host] = first.map((v) => text(v ?? null));
  if (name !== null && name !== undefined) {
    const decoded = decodeWords(name);
    if (decoded !== "") return decoded;
  }
  if (mailbox !== null && mailbox !== undefined) return host !== null && host !== undefined ? `${mailbox}@${host}` : mailbox;
  return "";
}


/** addr-mailbox of the first address of an envelope address list; "" when there is none. */
function firstMailbox(list: ImapValue): string {
  for (const address of addresses(list)) {
    // A group's start and end entries have a NIL host (RFC 3501 §7.4.2); they are no address.
    if (!Array.isArray(address) || address[3] === null) continue;
    return text(address[2] ?? null) ?? "";
  }
  return "";
}

// APPEND mailbox 1*([flags] [date-time] literal): one message, or several in
// one command (MULTIAPPEND), each as a literal or, with content the client
// marks binary, a literal8, or (CATENATE) joined from text literals and URLs
// of messages and parts already in the user's mailboxes. They are stored all or none, durably, before the
// OK, which carries APPENDUID with their UIDs. The command reader has read
// every literal whole (each checked against APPENDLIMIT before its "+"), so
// a client that disconnects mid-command or cancels with an empty literal
// leaves nothing behind. The mailbox keeps its name from the lookup to the
// UIDs (a RENAME by another session waits), so NO always means nothing was stored.
// Standards: RFC 3501 §6.3.11, RFC 3502 §6.3.11 (MULTIAPPEND), RFC 3516 §4.4 (literal8),
// RFC 4469 §5 (CATENATE), RFC 4315 §3 (APPENDUID), RFC 7889 (APPENDLIMIT), RFC 7888, RFC 9208 §4.3.1 (OVERQUOTA), RFC 6855 §4 (UTF8 data; 8-bit header fields refused before ENABLE UTF8=ACCEPT).

import type { CommandRow } from "../../core/command-table.ts";
import { checkQuota } from "../../store/quota.ts";
import type { NewMessage } from "../../store/types.ts";
import { readDateTime } from "../grammar/dates.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { formatUidSet } from "../grammar/sequence-set.ts";
import { resolveMessageUrl } from "../mailbox/imap-url.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal } from "../vocabulary.ts";
import { quotaLimits } from "./quota.ts";

export const append: CommandRow<ImapSession, ImapState> = {
  verb: "APPEND",
  states: AUTHENTICATED,
  flags: { redactArgs: true },
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const name = r.mailbox();
    // append = "APPEND" SP mailbox 1*append-message (RFC 3502 §6.3.11): every message is read before any is stored.
    const read: ToAppend[] = [];
    do {
      r.sp();
      read.push(readMessage(r));
    } while (!r.atEnd);
    r.end();
    // RFC 4469 §5: the URL parts are resolved, and the whole message checked against APPENDLIMIT, before anything is stored.
    const limit = s.context.config.imap.maxAppendOctets;
    const messages: NewMessage[] = [];
    for (const { parts, ...message } of read) {
      const octets = await Promise.all(parts.map((p) => ("url" in p ? resolveMessageUrl(s, p.url) : p.text)));
      // A plain APPEND keeps its literal as the view the reader gave (it may be megabytes): no copy.
      const bytes = octets.length === 1 ? octets[0]! : Buffer.concat(octets);
      if (bytes.length > limit) throw new Refusal("TOOBIG", `the message would be ${bytes.length} octets, over the limit of ${limit}`);
      messages.push({ ...message, bytes });
    }
    // RFC 3502: "A zero-length message literal argument is an error, and MUST return a NO. This can be used to cancel the append."
    if (messages.some((m) => m.bytes.length === 0)) throw new Refusal(null, "an empty message cannot be appended: nothing was appended");
    // RFC 6855 §4: a server with UTF8=ACCEPT "MUST reject, with a "NO" response", 8-bit header fields from a
    // client that has not enabled it (an IMAP4rev2 session takes UTF-8 headers as RFC 9051 does).
    if (!s.enabled.has("UTF8=ACCEPT") && !s.enabled.has("IMAP4REV2") && messages.some((m) => headerHas8bit(m.bytes))) {
      throw new Refusal(null, "8-bit octets in the header fields need ENABLE UTF8=ACCEPT first: nothing was appended");
    }
    const { store } = s.context;
    const { uidValidity, uids } = await store.withStableNames(s.user!, async () => {
      const mailbox = await viaStore(s, () => store.mailbox(s.user!, name), { tryCreate: true });
      // RFC 9208 §4.3.1: over a quota limit the command gets NO [OVERQUOTA], checked before anything is written.
      const added = { octets: messages.reduce((sum, m) => sum + m.bytes.length, 0), messages: messages.length };
      await viaStore(s, () => checkQuota(store, s.user!, quotaLimits(s), added));
      return viaStore(s, () => mailbox.appendAll(messages));
    });
    await complete(s, command, "append completed", `APPENDUID ${uidValidity} ${formatUidSet(uids)}`);
  },
};

/** Whether the header section (up to the first empty line, or all of a message without a body) has an octet over 0x7F. */
export function headerHas8bit(message: Buffer): boolean {
  const crlf = message.indexOf("\r\n\r\n");
  const lf = message.indexOf("\n\n");
  const ends = [crlf, lf].filter((i) => i >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : message.length;
  for (let i = 0; i < end; i++) if (message[i]! > 0x7f) return true;
  return false;
}

/** A message as read: its octets, or (CATENATE) text and URL parts still to be joined. */
type ToAppend = Omit<NewMessage, "bytes"> & { parts: ({ text: Buffer } | { url: string })[] };

/**
 * append-message = [flag-list SP] [date-time SP] append-data
 * append-data = literal / literal8 / "CATENATE" SP "(" cat-part *(SP cat-part) ")"
 * cat-part = "TEXT" SP literal / "URL" SP astring
 */
function readMessage(r: ArgReader): ToAppend {
  let flags: string[] = [];
  let date: Date | undefined;
  if (r.peek() === 0x28) {
    flags = r.flagList();
    r.sp();
  }
  if (r.peek() === 0x22) {
    date = readDateTime(r);
    r.sp();
  }
  const options = { flags, ...(date ? { internalDate: date } : {}) };
  // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", a message with UTF-8 header fields, once UTF8=ACCEPT is enabled.
  if (r.utf8Accept && r.peekWord("UTF8")) {
    r.pos += 4;
    r.sp();
    r.expect("(", "a parenthesised literal8 after UTF8");
    const data = r.appendData();
    if (!data.binary) syntax("UTF8 takes a literal8 (~{n})");
    r.expect(")", "the end of the UTF8 data");
    return { ...options, parts: [{ text: data.bytes }] };
  }
  if (!r.peekWord("CATENATE")) return { ...options, parts: [{ text: r.appendData().bytes }] };
  r.pos += "CATENATE".length;
  r.sp();
  r.expect("(", "a list of CATENATE parts");
  const parts: ToAppend["parts"] = [];
  for (;;) {
    if (r.peekWord("TEXT")) {
      r.pos += 4;
      r.sp();
      // RFC 4469 §5: text-literal = "TEXT" SP literal — literal8 is for BINARY servers' own extension, not taken here.
      if (r.peek() !== 0x7b) syntax("expected a literal after TEXT");
      parts.push({ text: r.literal() });
    } else if (r.peekWord("URL")) {
      r.pos += 3;
      r.sp();
      parts.push({ url: r.astring("a URL").toString("utf8") });
    } else {
      syntax("expected TEXT or URL");
    }
    if (r.accept(")")) return { ...options, parts };
    r.sp();
  }
}

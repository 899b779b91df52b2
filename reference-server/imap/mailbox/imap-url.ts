// CATENATE's URL parts: an IMAP URL naming a message, or a section or range
// of one, in the session user's own mailboxes on this server, resolved to
// its octets. Relative URLs ("/mailbox;UIDVALIDITY=n/;UID=n", or ";UID=n"
// for the selected mailbox) and absolute ones naming this server and the
// session's user are taken; anything else — another server or user, a wrong
// UIDVALIDITY, a message that is gone, a section that does not exist — is a
// BADURL refusal, which names the URL.
// Standards: RFC 4469 §5 (URL cat-part, BADURL), RFC 5092 §3-§6 (IMAP URL syntax), RFC 3501 §6.4.5 (sections).

import { MessageGone } from "../../store/types.ts";
import { ArgReader, decodeMailboxName } from "../grammar/reader.ts";
import { readFetchItems } from "../fetch-items/parse.ts";
import { MessageView } from "../fetch-items/message-view.ts";
import type { ImapSession } from "../states.ts";
import { Refusal } from "../vocabulary.ts";
import { viaStore } from "./store-errors.ts";

interface MessageUrl {
  /** null: the selected mailbox */
  mailbox: string | null;
  uidValidity: number | null;
  uid: number;
  section: string | null;
  partial: { start: number; length: number | null } | null;
}

function badUrl(url: string, why: string): never {
  // The code carries the URL as an astring-like token; it never holds a space (spaces are percent-encoded).
  throw new Refusal(`BADURL ${url.replace(/[\s\]]/g, "")}`, why);
}

/** "imap://[user[;AUTH=...]@]host[:port]/rest" or "/rest" or ";UID=..." → the parts that name a message. */
function parseUrl(s: ImapSession, url: string): MessageUrl {
  let rest = url;
  const absolute = /^imap:\/\/(?:([^@/]*)@)?([^/:]+)(?::\d+)?(\/.*)$/i.exec(url);
  if (absolute) {
    const user = absolute[1] === undefined ? null : decode(url, absolute[1].split(";")[0]!);
    if (user !== s.user) badUrl(url, "the URL names another user");
    if (absolute[2]!.toLowerCase() !== s.context.config.hostname.toLowerCase()) badUrl(url, "the URL names another server");
    rest = absolute[3]!;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    badUrl(url, "not an IMAP URL");
  }
  let mailbox: string | null = null;
  let uidValidity: number | null = null;
  if (rest.startsWith("/")) {
    const end = rest.indexOf("/;");
    if (end === -1) badUrl(url, "the URL names no message");
    const [name, ...params] = rest.slice(1, end).split(";");
    mailbox = decodeMailboxName(decode(url, name!));
    for (const p of params) {
      const m = /^UIDVALIDITY=([1-9]\d{0,9})$/i.exec(p);
      if (!m) badUrl(url, `unexpected ${p.slice(0, 20)} after the mailbox name`);
      uidValidity = Number(m[1]);
    }
    rest = rest.slice(end + 1);
  }
  const fields = rest.split("/");
  const uid = /^;UID=([1-9]\d{0,9})$/i.exec(fields[0] ?? "");
  if (!uid) badUrl(url, "the URL names no UID");
  let section: string | null = null;
  let partial: MessageUrl["partial"] = null;
  for (const field of fields.slice(1)) {
    const sec = /^;SECTION=(.+)$/i.exec(field);
    const part = /^;PARTIAL=(\d{1,10})(?:\.([1-9]\d{0,9}))?$/i.exec(field);
    if (sec && section === null && partial === null) section = decode(url, sec[1]!);
    else if (part && partial === null) partial = { start: Number(part[1]), length: part[2] === undefined ? null : Number(part[2]) };
    else badUrl(url, `unexpected ${field.slice(0, 20)} in the URL`);
  }
  return { mailbox, uidValidity, uid: Number(uid[1]), section, partial };
}

function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    badUrl(url, "bad percent-encoding");
  }
}

/** The octets a URL names. */
export async function resolveMessageUrl(s: ImapSession, url: string): Promise<Buffer> {
  const target = parseUrl(s, url);
  const name = target.mailbox ?? s.view?.name ?? badUrl(url, "no mailbox is selected");
  let mailbox;
  try {
    mailbox = await s.context.store.mailbox(s.user!, name);
  } catch {
    badUrl(url, "no such mailbox");
  }
  const status = await viaStore(s, () => mailbox.status());
  if (target.uidValidity !== null && target.uidValidity !== status.uidValidity) badUrl(url, "UIDVALIDITY has changed");
  let raw: Buffer;
  try {
    raw = await mailbox.read(target.uid);
  } catch (error) {
    if (error instanceof MessageGone || !status.messages.some((m) => m.uid === target.uid)) badUrl(url, "no such message");
    throw error;
  }
  let bytes = raw;
  if (target.section !== null) {
    // The section as FETCH reads it: BODY[<section>].
    let spec;
    try {
      const [item] = readFetchItems(new ArgReader(Buffer.from(`BODY.PEEK[${target.section}]`, "latin1"), 0));
      spec = item?.kind === "section" ? item.spec : null;
    } catch {
      spec = null;
    }
    if (!spec) badUrl(url, "malformed section");
    const found = await new MessageView(raw).section(spec);
    if (found === null) badUrl(url, "no such section");
    bytes = found;
  }
  if (target.partial !== null) {
    const { start, length } = target.partial;
    if (start > bytes.length) badUrl(url, "the partial range starts past the end");
    bytes = bytes.subarray(start, length === null ? undefined : start + length);
  }
  return bytes;
}

// ENVELOPE: the ten header-derived fields of a message, as raw as the header
// has them (no RFC 2047 decoding — the client decodes, Dovecot and Cyrus
// answer the same way), addresses split by address.ts.
// Standards: RFC 3501 §7.4.2 (ENVELOPE), §9 (envelope, address, env-* ABNF), RFC 5322 §3.6.

import { adjacent, type ImapValue } from "../value.ts";
import { parseAddressList, type Address } from "./address.ts";
import { firstValue, imapNString } from "./header-fields.ts";
import type { MimePart, ParsedMessage } from "./types.ts";

/**
 * envelope = "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP env-to SP env-cc SP
 *            env-bcc SP env-in-reply-to SP env-message-id ")"
 */
export function envelope(m: ParsedMessage): ImapValue {
  return envelopeOf(m.raw, m.root);
}

/** The envelope of any message entity: the top-level one or one encapsulated in message/rfc822. */
export function envelopeOf(raw: Buffer, part: MimePart): ImapValue {
  const value = (name: string): string | null => firstValue(raw, part, name);
  const addresses = (name: string): ImapValue => addressList(value(name));
  const from = addresses("from");
  // RFC 3501 §7.4.2: "If the Sender or Reply-To lines are absent in the [RFC-2822] header, or are present
  // but empty, the server sets the corresponding member of the envelope to be the same value as the from member."
  const sender = addresses("sender");
  const replyTo = addresses("reply-to");
  return [
    imapNString(value("date")),
    imapNString(value("subject")),
    from,
    sender ?? from,
    replyTo ?? from,
    addresses("to"),
    addresses("cc"),
    addresses("bcc"),
    imapNString(value("in-reply-to")),
    imapNString(value("message-id")),
  ];
}

/** env-from = "(" 1*address ")" / nil — an absent field or one without any address is NIL. */
function addressList(value: string | null): ImapValue {
  if (value === null) return null;
  const list = parseAddressList(value);
  // env-from = "(" 1*address ")" / nil: the addresses stand back to back.
  return list.length === 0 ? null : [adjacent(list.map(addressValue))];
}

/** address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
function addressValue(a: Address): ImapValue {
  return [imapNString(a.name), imapNString(a.adl), imapNString(a.mailbox), imapNString(a.host)];
}

// A mailbox name as LIST, LSUB and STATUS responses carry it: modified
// UTF-7 (UTF-8 in a session that enabled UTF8=ACCEPT), then quoted (or a literal) like any string.
// Standards: RFC 3501 §5.1.3 (mailbox international naming), §9 (mailbox = "INBOX" / astring), RFC 6855 §3.

import { encodeMutf7 } from "../grammar/mutf7.ts";
import { str } from "../value.ts";
import { encodeValue } from "../writer.ts";

export function mailboxName(name: string, enabled?: ReadonlySet<string>): string {
  // RFC 6855 §3: after ENABLE UTF8=ACCEPT the name goes out as UTF-8, not modified UTF-7.
  // RFC 9051 §5.1: likewise in an IMAP4rev2 session.
  return encodeValue(str(enabled?.has("UTF8=ACCEPT") || enabled?.has("IMAP4REV2") ? name : encodeMutf7(name))) as string;
}

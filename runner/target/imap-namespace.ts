// Where an IMAP target keeps the user's mailboxes, as tests see it: the
// endpoint's `mailbox-prefix` / `delimiter` from the target file where given,
// else what the capability probe read from NAMESPACE or `LIST "" ""`.
// runner/session/variables.ts binds the result as ${imap.prefix} and ${imap.delimiter}.
// Standards: RFC 2342 §5 (personal namespace), RFC 3501 §6.3.8 (hierarchy delimiter).

import type { ImapNamespace, Target } from "../model/target.ts";

/** `target` with its IMAP endpoint's placement filled in from `read` where the file left it open. */
export function withImapNamespace(target: Target, read: ImapNamespace | undefined): Target {
  const imap = target.endpoints.imap;
  if (imap === undefined || read === undefined) return target;
  const placed = { ...imap, mailboxPrefix: imap.mailboxPrefix ?? read.prefix, delimiter: imap.delimiter ?? read.delimiter };
  return { ...target, endpoints: { ...target.endpoints, imap: placed } };
}

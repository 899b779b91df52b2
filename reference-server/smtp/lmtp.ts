// What the LMTP listener does differently after DATA: one reply per accepted
// recipient, in RCPT order, each saying whether that recipient's copy is in
// the store (LMTP keeps no queue: the reply comes after delivery). A message
// refused as a whole (too big, bare line endings) gets that refusal once per
// recipient; a copy that fails fails only its own recipients.
// Standards: RFC 2033 §4.2 (one reply per successful RCPT, in order; also
// for repeated forward-paths), §1 (no mail queue).

import type { Command } from "../core/command-table.ts";
import type { MailError } from "../core/errors.ts";
import { deliverEach } from "./deliver.ts";
import type { MessageBody } from "./message-body.ts";
import type { SmtpSession, Transaction } from "./states.ts";
import { formatReply, smtpVocabulary } from "./vocabulary.ts";

export async function replyPerRecipient(s: SmtpSession, t: Transaction, body: MessageBody, refusal: MailError | null, command: Command): Promise<void> {
  const failures = refusal === null ? await deliverEach(s, t, body) : new Map<string, MailError>();
  const replies = t.recipients.map((r) => {
    const failure = refusal ?? failures.get(r.user);
    return failure ? smtpVocabulary.failure(s, failure, command) : formatReply(250, "2.0.0", `<${r.address}> delivered`);
  });
  // One write: the client reads them in order, as one answer to its ".".
  s.conn.write(replies.join(""));
}

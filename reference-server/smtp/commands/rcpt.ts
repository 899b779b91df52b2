// RCPT TO: adds a recipient. Local delivery only: a domain that is not ours
// is refused whether or not the client authenticated — never an open relay.
// Standards: RFC 5321 §4.1.1.3, §3.6.2 (relaying), §4.5.1 (postmaster),
// §4.5.3.1.8 (recipient limit, 452), RFC 3463 (5.1.1, 5.7.1, 4.5.3), RFC 3461 §4.1-4.2 (NOTIFY, ORCPT).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError, LimitExceeded } from "../../core/errors.ts";
import { parseNotify, parseOrcpt, type RecipientDsn } from "../dsn.ts";
import { parsePathArgument } from "../grammar.ts";
import type { SmtpSession } from "../states.ts";
import { reply } from "../vocabulary.ts";

export const rcpt: CommandRow<SmtpSession> = {
  verb: "RCPT",
  states: ["mail", "rcpt"],
  handle(s, command) {
    const t = s.transaction!;
    const { mailbox, params } = parsePathArgument(command.args, "TO");
    const dsn = recipientDsn(params);
    const max = s.context.config.smtp.maxRecipients;
    if (t.recipients.length >= max) throw new LimitExceeded("too-many-recipients", `too many recipients (at most ${max})`);
    const m = mailbox!;
    if (m.utf8 && !t.utf8) throw new ClientError("non-ascii-address", "non-ASCII address needs SMTPUTF8");
    const { config, users } = s.context;
    if (m.domain !== "" && !config.domains.includes(m.domain)) {
      throw new ClientError("relay-denied", `relay access denied: ${m.domain} is not a local domain`);
    }
    const user = users.recipient(m.localPart, m.domain === "" ? config.domains[0]! : m.domain);
    if (!user) throw new ClientError("no-such-user", `no such user here: ${m.text}`);
    t.recipients.push({ address: m.text, user: user.name, dsn });
    reply(s, 250, "2.1.5", "recipient OK");
  },
};

/** NOTIFY and ORCPT (RFC 3461 §4.1-4.2); any other parameter is one no advertised extension defines (555). */
function recipientDsn(params: ReadonlyMap<string, string | null>): RecipientDsn {
  const dsn: RecipientDsn = {};
  for (const [key, value] of params) {
    if (key === "NOTIFY") dsn.notify = parseNotify(value);
    else if (key === "ORCPT") dsn.orcpt = parseOrcpt(value);
    else throw new ClientError("unsupported-parameter", `parameter ${key} not supported`);
  }
  return dsn;
}

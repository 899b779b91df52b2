// What happens once a login succeeds, whichever command did it (LOGIN or
// AUTHENTICATE): the state changes and the user's special-use mailboxes
// exist, unless the user already holds the most sessions allowed. The tagged OK carries the new capability list (RFC 3501 §7.2.1 lets
// a server send it so the client need not ask).
// Standards: RFC 3501 §6.2.2-6.2.3, RFC 6154, RFC 4959.

import type { Command } from "../core/command-table.ts";
import { capabilities } from "./capabilities.ts";
import { foldersOf } from "./mailbox/folders.ts";
import { ensureSpecialUse } from "./mailbox/special-use.ts";
import { viaStore } from "./mailbox/store-errors.ts";
import type { ImapSession } from "./states.ts";
import { complete, Refusal } from "./vocabulary.ts";

export async function enterAuthenticated(s: ImapSession, command: Command, user: string): Promise<void> {
  // Per-user session limit (config imap.maxSessionsPerUser): the slot is held until the connection closes.
  const release = s.context.admission.claimUser("imap", user, s.context.config.imap.maxSessionsPerUser);
  if (release === null) throw new Refusal("LIMIT", "too many sessions for this user, try again later");
  void s.conn.closed.then(release);
  const f = foldersOf(s.context.store);
  if (f) await viaStore(s, () => ensureSpecialUse(f, user));
  s.user = user;
  s.state = "authenticated";
  await complete(s, command, "logged in", `CAPABILITY ${capabilities(s).join(" ")}`);
}

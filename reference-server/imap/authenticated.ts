// What happens once a login succeeds, whichever command did it (LOGIN or
// AUTHENTICATE): the state changes and the user's special-use mailboxes
// exist. The tagged OK carries the new capability list (RFC 3501 §7.2.1 lets
// a server send it so the client need not ask).
// Standards: RFC 3501 §6.2.2-6.2.3, RFC 6154, RFC 4959.

import type { Command } from "../core/command-table.ts";
import { capabilities } from "./capabilities.ts";
import { foldersOf } from "./mailbox/folders.ts";
import { ensureSpecialUse } from "./mailbox/special-use.ts";
import { viaStore } from "./mailbox/store-errors.ts";
import type { ImapSession } from "./states.ts";
import { complete } from "./vocabulary.ts";

export async function enterAuthenticated(s: ImapSession, command: Command, user: string): Promise<void> {
  const f = foldersOf(s.context.store);
  if (f) await viaStore(s, () => ensureSpecialUse(f, user));
  s.user = user;
  s.state = "authenticated";
  await complete(s, command, "logged in", `CAPABILITY ${capabilities(s).join(" ")}`);
}

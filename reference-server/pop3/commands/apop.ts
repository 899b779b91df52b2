// APOP: login with MD5(timestamp || password) against the greeting's
// timestamp. Works only for users whose password is stored in plaintext.
// Refused between a successful USER and its PASS: APOP "may only be given in
// the AUTHORIZATION state after the POP3 greeting or after an unsuccessful
// USER or PASS command".
// A UTF-8 name and password are SASLprep'd (the name as a query, the password as a stored string).
// Standards: RFC 1939 §7 (APOP name digest, USER then PASS or QUIT), RFC 3206, RFC 6856 §2.2.

import { createHash } from "node:crypto";
import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { loginGuard } from "../../auth/penalty.ts";
import { failAfterDelay } from "../../auth/sasl.ts";
import { constantTimeEqual } from "../../users/passwords.ts";
import { openMaildrop } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { preparedApopSecret, preparedCredential } from "../utf8.ts";

export const apop: CommandRow<Pop3Session, Pop3State> = {
  verb: "APOP",
  states: ["authorization"],
  flags: { redactArgs: true },
  async handle(s, command) {
    if (s.pendingUser !== null) throw new ClientError("bad-sequence", "USER was accepted: send PASS, or QUIT");
    // APOP name digest; digest = 32 lower-case hex digits
    const match = /^(\S+) ([0-9a-fA-F]{32})$/.exec(command.args);
    if (!match) throw new ClientError("syntax", "expected APOP <name> <digest>");
    const { users, config } = s.context;
    const name = preparedCredential(match[1]!, "user name");
    const user = await loginGuard(s.context, s.conn.remoteAddress)(name, async () => {
      const stored = users.plaintextPassword(name);
      const secret = stored === null ? null : preparedApopSecret(stored);
      const expected = createHash("md5").update(s.timestamp + (secret ?? "")).digest("hex");
      const good = secret !== null && constantTimeEqual(Buffer.from(expected), Buffer.from(match[2]!.toLowerCase()));
      return good ? users.byLogin(name)!.name : null;
    });
    if (user === null) return failAfterDelay(config.auth.failureDelayMs, "authentication failed");
    s.pendingUser = null;
    await openMaildrop(s, user);
  },
};

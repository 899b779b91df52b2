// PASS: completes USER. The whole rest of the line is the password, spaces
// included, as RFC 1939 §7 permits. Success locks the maildrop.
// A UTF-8 password must be well-formed and is SASLprep'd (RFC 6856 §2.2).
// Standards: RFC 1939 §7, RFC 3206 ([AUTH]), RFC 2449 §8.1.1 ([IN-USE]), RFC 6856 §2.2.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { loginGuard } from "../../auth/penalty.ts";
import { checkPassword } from "../../auth/sasl.ts";
import { openMaildrop } from "../maildrop.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { preparedCredential } from "../utf8.ts";

export const pass: CommandRow<Pop3Session, Pop3State> = {
  verb: "PASS",
  states: ["authorization"],
  flags: { redactArgs: true },
  async handle(s, command) {
    const login = s.pendingUser;
    if (login === null) throw new ClientError("bad-sequence", "USER first");
    s.pendingUser = null;
    if (command.args === "") throw new ClientError("syntax", "expected PASS <password>");
    const { users, config } = s.context;
    const password = preparedCredential(command.args, "password");
    const user = await checkPassword(users, login, password, config.auth.failureDelayMs, loginGuard(s.context, s.conn.remoteAddress));
    await openMaildrop(s, user);
  },
};

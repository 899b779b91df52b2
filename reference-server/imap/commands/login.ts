// LOGIN userid password. Refused with NO [PRIVACYREQUIRED] where policy keeps
// passwords off a clear channel (the server then advertises LOGINDISABLED).
// Standards: RFC 3501 §6.2.3, §9 (login = "LOGIN" SP userid SP password), RFC 5530.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { plaintextAuthAllowed } from "../../auth/mechanisms.ts";
import { loginGuard } from "../../auth/penalty.ts";
import { checkPassword } from "../../auth/sasl.ts";
import { enterAuthenticated } from "../authenticated.ts";
import { argsOf } from "../grammar/command-args.ts";
import type { ImapSession, ImapState } from "../states.ts";

export const login: CommandRow<ImapSession, ImapState> = {
  verb: "LOGIN",
  states: ["not-authenticated"],
  flags: { redactArgs: true },
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const user = r.astringText("a user name");
    r.sp();
    const password = r.astringText("a password");
    r.end();
    if (!plaintextAuthAllowed(s.conn, s.context.config)) {
      throw new ClientError("encryption-required", "LOGIN is disabled on a clear channel, use STARTTLS first");
    }
    const { users, config } = s.context;
    const name = await checkPassword(users, user, password, config.auth.failureDelayMs, loginGuard(s.context, s.conn.remoteAddress));
    await enterAuthenticated(s, command, name);
  },
};

// USER: names the mailbox for the following PASS. Refused on a clear channel
// where policy forbids plaintext passwords (and then not listed in CAPA).
// Refused right after a successful USER: USER "may only be given in the
// AUTHORIZATION state after the POP3 greeting or after an unsuccessful USER or
// PASS command"; the refused USER is an unsuccessful one, so the name it
// replaced is dropped and PASS must wait for a new USER.
// A UTF-8 name must be well-formed and is SASLprep'd (CAPA says UTF8 USER).
// Standards: RFC 1939 §7 (USER name, then PASS or QUIT), RFC 1939 §3, RFC 2595 §4, RFC 2449 §6.8, RFC 6856 §2.2.

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import { plaintextAuthAllowed } from "../../auth/mechanisms.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { preparedCredential } from "../utf8.ts";
import { ok } from "../vocabulary.ts";

export const user: CommandRow<Pop3Session, Pop3State> = {
  verb: "USER",
  states: ["authorization"],
  handle(s, command) {
    if (s.pendingUser !== null) {
      s.pendingUser = null;
      throw new ClientError("bad-sequence", "USER was accepted: send PASS, or QUIT");
    }
    if (command.args === "" || command.args.includes(" ")) throw new ClientError("syntax", "expected USER <name>");
    if (!plaintextAuthAllowed(s.conn, s.context.config)) {
      throw new ClientError("encryption-required", "plaintext authentication disallowed without TLS, use STLS");
    }
    s.pendingUser = preparedCredential(command.args, "user name");
    // The same answer for every name, so that USER cannot be used to find accounts.
    ok(s, "send PASS");
  },
};

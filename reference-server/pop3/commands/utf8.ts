// UTF8: enter UTF-8 mode, where messages with UTF-8 headers are sent as
// they are stored (UTF-8 or ASCII). Only in the AUTHORIZATION state; taking
// no arguments. Entering it twice is harmless.
// Standards: RFC 6856 §2 (valid in AUTHORIZATION), §2.1 (the UTF8 command has no parameters).

import type { CommandRow } from "../../core/command-table.ts";
import { ClientError } from "../../core/errors.ts";
import type { Pop3Session, Pop3State } from "../states.ts";
import { ok } from "../vocabulary.ts";

export const utf8: CommandRow<Pop3Session, Pop3State> = {
  verb: "UTF8",
  states: ["authorization"],
  handle(s, command) {
    if (command.args !== "") throw new ClientError("syntax", "UTF8 takes no arguments");
    s.utf8 = true;
    ok(s, "UTF-8 mode enabled");
  },
};

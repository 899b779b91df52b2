// ID: the client may say who it is; we answer with our name and version.
// Standards: RFC 2971 §3.1-3.3 (id-params-list, at most 30 pairs).

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax } from "../grammar/reader.ts";
import { MAX_ID_PAIRS } from "../limits.ts";
import { ANY_STATE, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";

export const id: CommandRow<ImapSession, ImapState> = {
  verb: "ID",
  states: ANY_STATE,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    // id = "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil
    if (r.peekWord("NIL")) {
      r.pos += 3;
    } else {
      r.expect("(", "a parameter list or NIL");
      let pairs = 0;
      if (!r.accept(")")) {
        for (;;) {
          const field = r.string("a field name");
          r.sp();
          r.nstring();
          if (++pairs > MAX_ID_PAIRS || field.length > 30) syntax(`at most ${MAX_ID_PAIRS} fields of at most 30 octets`);
          if (r.accept(")")) break;
          r.sp();
        }
      }
    }
    r.end();
    untagged(s, `ID ("name" "mailconform" "version" "0.1.0" "vendor" "mailconform reference server")`);
    await complete(s, command, "id completed");
  },
};

// ENABLE capability...: turns on extensions that change server behaviour.
// None of the ones we offer needs enabling, so ENABLED lists nothing; names
// we do not know are ignored, as RFC 5161 asks.
// Standards: RFC 5161 §3.1, §4.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";

const ENABLEABLE = new Set<string>();

export const enable: CommandRow<ImapSession, ImapState> = {
  verb: "ENABLE",
  // RFC 5161 §3.1: clients issue it before selecting, but "server implementations
  // don't have to check that no mailbox is selected"; like Dovecot we do not.
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    const enabled: string[] = [];
    do {
      r.sp();
      const name = r.atom("a capability name").toUpperCase();
      if (ENABLEABLE.has(name) && !s.enabled.has(name)) {
        s.enabled.add(name);
        enabled.push(name);
      }
    } while (!r.atEnd);
    untagged(s, enabled.length > 0 ? `ENABLED ${enabled.join(" ")}` : "ENABLED");
    await complete(s, command, "enable completed");
  },
};

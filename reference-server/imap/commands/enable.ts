// ENABLE capability...: turns on extensions that change server behaviour:
// CONDSTORE (MODSEQ in untagged FETCH) and QRESYNC (which implies CONDSTORE,
// and turns EXPUNGE into VANISHED), UTF8=ACCEPT, and IMAP4rev2 (the session's
// revision: states.ts revision2). ENABLED lists what this command turned
// on; names we do not know are ignored, as RFC 5161 asks.
// Standards: RFC 5161 §3.1, §4, RFC 7162 §3.1, §3.2.3, RFC 6855 §3 (UTF8=ACCEPT), RFC 9051 §6.3.1.

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, untagged } from "../vocabulary.ts";

/** Each enableable name and what it turns on with it (RFC 7162 §3.2.3: QRESYNC implies CONDSTORE). */
const ENABLEABLE = new Map<string, string[]>([
  ["CONDSTORE", ["CONDSTORE"]],
  ["QRESYNC", ["QRESYNC", "CONDSTORE"]],
  // RFC 9051 §6.3.1: with both revisions advertised, the client turns on IMAP4rev2 behaviour (states.ts revision2).
  ["IMAP4REV2", ["IMAP4REV2"]],
  // RFC 6855 §3: UTF-8 in quoted strings and mailbox names (grammar/reader.ts, mailbox/mailbox-name.ts).
  ["UTF8=ACCEPT", ["UTF8=ACCEPT"]],
]);

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
      const turnsOn = ENABLEABLE.get(name);
      if (turnsOn !== undefined && !s.enabled.has(name)) {
        for (const extension of turnsOn) s.enabled.add(extension);
        enabled.push(name);
      }
    } while (!r.atEnd);
    untagged(s, enabled.length > 0 ? `ENABLED ${enabled.join(" ")}` : "ENABLED");
    await complete(s, command, "enable completed");
  },
};

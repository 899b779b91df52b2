// IMAP's replies as handlers use them: the forms of responses.ts, and the
// tagged OK / NO / BAD that end a command, with response codes. Handlers end
// a command through `complete`, which first delivers the mailbox updates the
// command may carry; failures arrive from the driver and map here:
// ClientError → BAD (syntax, sequence) or NO (refusal), LimitExceeded → NO
// [TOOBIG] or BAD, TempFailure → NO [UNAVAILABLE], Fatal → untagged BYE.
// Standards: RFC 3501 §7.1 (status responses), §7.5 (continuation), RFC 5530 (response codes),
// RFC 7889 / RFC 4469 ([TOOBIG]).

import type { Command } from "../core/command-table.ts";
import { Fatal, LimitExceeded, TempFailure, type ClientError, type ClientErrorReason, type MailError } from "../core/errors.ts";
import type { Vocabulary } from "../core/session.ts";
import { clean, Refusal, statusLine } from "./responses.ts";
import type { ImapSession } from "./states.ts";

// Handlers take every reply form from here; responses.ts holds the ones the mailbox view needs below the session.
export { continuation, Refusal, statusLine, untagged } from "./responses.ts";

// RFC 3501 §7.1.5: BAD is for protocol-level errors — unknown command, bad
// syntax, a command in the wrong state. Everything else is a NO.
const BAD_REASONS: ReadonlySet<ClientErrorReason> = new Set([
  "syntax",
  "unknown-command",
  "bad-sequence",
  "unsupported-parameter",
  "not-implemented",
  // RFC 3501 §6.2.2: "If the client cancels the authentication, the server MUST reject with a BAD".
  "auth-cancelled",
]);

const CODE_OF_REASON: Partial<Record<ClientErrorReason, string>> = {
  "auth-failed": "AUTHENTICATIONFAILED",
  "encryption-required": "PRIVACYREQUIRED",
  "tls-required": "PRIVACYREQUIRED",
  "in-use": "INUSE",
};

/**
 * The tagged OK that ends a command, after the pending mailbox updates this
 * command may carry (RFC 3501 §7.4.1: never an EXPUNGE during FETCH, STORE or SEARCH).
 */
export async function complete(s: ImapSession, command: Command, text: string, code: string | null = null): Promise<void> {
  await s.view?.deliverUpdates(s, { expunges: !NO_EXPUNGE_VERBS.has(command.verb) });
  s.currentTag = null;
  s.conn.write(statusLine(command.tag!, "OK", code, text));
}

// RFC 5256 §3: "Untagged EXPUNGE responses are not permitted while the server is responding to a SORT command" (THREAD likewise).
const NO_EXPUNGE_VERBS = new Set(["FETCH", "STORE", "SEARCH", "SORT", "THREAD"]);

export const imapVocabulary: Vocabulary<ImapSession> = {
  failure(s, error: MailError, command: Command | null): string {
    if (error instanceof Fatal) return `* BYE ${clean(error.message)}\r\n`;
    const tag = command?.tag ?? s.currentTag ?? "*";
    s.currentTag = null;
    if (error instanceof LimitExceeded) {
      if (error.limit === "message-too-big") return statusLine(tag, "NO", "TOOBIG", error.message);
      return statusLine(tag, "BAD", error.limit === "command-line-too-long" ? "TOOBIG" : null, error.message);
    }
    if (error instanceof TempFailure) return statusLine(tag, "NO", "UNAVAILABLE", error.message);
    const e = error as ClientError;
    if (e instanceof Refusal) return statusLine(tag, "NO", e.code, e.message);
    if (BAD_REASONS.has(e.reason)) return statusLine(tag, "BAD", null, e.message);
    return statusLine(tag, "NO", CODE_OF_REASON[e.reason] ?? null, e.message);
  },
};

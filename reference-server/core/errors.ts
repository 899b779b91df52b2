// The four ways a command can fail. Handlers throw these and never write
// error text themselves; the session driver hands them to the protocol's
// vocabulary, which turns each into that protocol's reply form.
// Standards: RFC 5321 §4.2.1 (reply classes), RFC 3463 (enhanced codes),
// RFC 1939 §3 (-ERR), RFC 2449 §8 and RFC 3206 (POP3 response codes).

/** Why a client's command was refused; the session continues after the reply. */
export type ClientErrorReason =
  | "syntax" // malformed arguments
  | "unknown-command" // verb not in the command table
  | "bad-sequence" // verb not allowed in the current state
  | "unsupported-parameter" // a parameter no advertised extension defines
  | "not-implemented" // a known verb this server chooses not to perform
  | "tls-required" // policy: this command needs TLS first
  | "auth-required" // policy: this command needs a login first (SMTP submission, RFC 6409 §4.3)
  | "sender-not-authorized" // MAIL FROM not an address of the logged-in user (RFC 6409 §6.1)
  | "encryption-required" // plaintext authentication refused on a clear channel
  | "auth-mechanism" // unknown or unavailable SASL mechanism
  | "auth-failed" // wrong credentials
  | "auth-cancelled" // the client answered a challenge with "*"
  | "bad-address" // an address that does not parse
  | "non-ascii-address" // UTF-8 address without SMTPUTF8
  | "no-such-user" // local recipient unknown
  | "relay-denied" // recipient domain is not ours
  | "rejected-content" // message data broke a rule (bare LF / CR)
  | "no-such-message" // POP3 message number unknown or deleted
  | "in-use" // POP3 maildrop locked by another session
  | "utf8-required"; // POP3 message with a UTF-8 header requested outside UTF-8 mode (RFC 6856 §5)

export class ClientError extends Error {
  constructor(
    readonly reason: ClientErrorReason,
    message: string,
  ) {
    super(message);
  }
}

export type LimitReason =
  | "command-line-too-long"
  | "text-line-too-long"
  | "message-too-big"
  | "too-many-recipients"
  | "too-many-errors"
  | "mailbox-full"; // a recipient's quota has no room for the message (RFC 3463 X.2.2)

/** A limit was hit. `then` says whether the session can go on after the reply. */
export class LimitExceeded extends Error {
  constructor(
    readonly limit: LimitReason,
    message: string,
    readonly then: "continue" | "close" = "continue",
  ) {
    super(message);
  }
}

/** Store or I/O trouble that a retry may cure: SMTP 4xx, POP3 [SYS/TEMP], IMAP NO. */
export class TempFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The server is short of memory (its MemoryBudget is spent): a retry later
 * may succeed. SMTP 452 4.3.1 (RFC 5321 §4.2.3 "insufficient system
 * storage"); elsewhere a TempFailure: IMAP NO [UNAVAILABLE], POP3 -ERR [SYS/TEMP].
 */
export class Overloaded extends TempFailure {}

export type FatalReason = "timeout" | "shutdown" | "too-many-errors" | "internal" | "too-many-connections" | "overloaded";

/** The session ends after the reply (SMTP 421, POP3 -ERR, IMAP BYE). */
export class Fatal extends Error {
  constructor(
    readonly reason: FatalReason,
    message: string,
  ) {
    super(message);
  }
}

export type MailError = ClientError | LimitExceeded | TempFailure | Fatal;

export function isMailError(error: unknown): error is MailError {
  return (
    error instanceof ClientError ||
    error instanceof LimitExceeded ||
    error instanceof TempFailure ||
    error instanceof Fatal
  );
}

/**
 * Errors that count towards the bad-command limit: the kind a confused or
 * hostile client produces in a loop (Postfix's hard error limit, Dovecot's
 * max_bad_commands). Refused recipients and wrong passwords are not counted
 * here: the recipient limit and the auth delay deal with those.
 */
export function countsAsBadCommand(error: MailError): boolean {
  if (error instanceof LimitExceeded) return error.limit === "command-line-too-long";
  if (!(error instanceof ClientError)) return false;
  return (
    error.reason === "syntax" ||
    error.reason === "unknown-command" ||
    error.reason === "bad-sequence" ||
    error.reason === "unsupported-parameter" ||
    error.reason === "not-implemented"
  );
}

// POP3 in UTF-8 mode: which messages need it (an internationalized header,
// RFC 6532) and what USER and PASS accept once UTF-8 may be used. Outside
// UTF-8 mode such a message is refused with -ERR [UTF8] rather than sent as
// is; this server makes no surrogate (the RFC allows either).
// Standards: RFC 6856 §2.1 (no non-ASCII strings outside UTF-8 mode; surrogate or -ERR), §2.2 (UTF-8 user
// names and passwords: SASLprep, reject what is not UTF-8; APOP's password as a stored string), §5 ([UTF8] response code).

import { ClientError } from "../core/errors.ts";
import { saslprep, SaslprepError } from "../../wire/saslprep.ts";
import type { Pop3Session } from "./states.ts";

/** Octets past ASCII in the header section (up to the first empty line): the message needs UTF-8 mode. */
export function headerNeedsUtf8(message: Buffer): boolean {
  const blank = message.indexOf("\r\n\r\n");
  const end = blank === -1 ? message.length : blank;
  for (let i = 0; i < end; i++) if (message[i]! > 0x7f) return true;
  return false;
}

/** RETR and TOP: a message with a UTF-8 header is refused outside UTF-8 mode, never sent as is. */
export function requireUtf8ModeFor(s: Pop3Session, n: number, message: Buffer): void {
  if (!s.utf8 && headerNeedsUtf8(message)) throw new ClientError("utf8-required", `message ${n} has a UTF-8 header: send UTF8 first`);
}

/**
 * A USER or PASS argument: one that is not ASCII must be well-formed UTF-8
 * (the line was decoded as UTF-8, so a malformed sequence shows as U+FFFD)
 * and is SASLprep'd as a query string; ASCII arguments are taken as given.
 */
export function preparedCredential(text: string, what: "user name" | "password"): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  if (text.includes("\uFFFD")) throw new ClientError("syntax", `the ${what} is not valid UTF-8`);
  try {
    return saslprep(text, "query");
  } catch (error) {
    if (error instanceof SaslprepError) throw new ClientError("syntax", `the ${what} has a character SASLprep prohibits`);
    throw error;
  }
}

/** APOP's shared secret, SASLprep'd as a stored string when it is not ASCII; null when SASLprep refuses it (no digest can match). */
export function preparedApopSecret(secret: string): string | null {
  if (/^[\x00-\x7f]*$/.test(secret)) return secret;
  try {
    return saslprep(secret, "stored");
  } catch (error) {
    if (error instanceof SaslprepError) return null;
    throw error;
  }
}

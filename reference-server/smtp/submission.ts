// What the submission listener (port 587) does beyond SMTP: AUTH before any
// mail transaction, a MAIL FROM only of the authenticated user's own
// addresses, and the origination fields a submitted message lacks (Date,
// Message-ID) added before delivery.
// Standards: RFC 6409 §4.3 (530, authentication required), §6.1 (550 5.7.1,
// sender not authorized), §8 (modifications), §8.2 (Date, MAY), §8.3 (Message-ID,
// SHOULD); RFC 4954 §6 (530 5.7.0); RFC 5322 §3.6 (Date required), §3.6.4 (msg-id).

import { randomBytes } from "node:crypto";
import { ClientError } from "../core/errors.ts";
import { fieldNames, headerBlock } from "./header-block.ts";
import type { SmtpSession } from "./states.ts";
import { rfc5322Date } from "./trace-headers.ts";

/**
 * RFC 4954 §6: 530 5.7.0 for "any command other than AUTH, EHLO, HELO, NOOP,
 * RSET, or QUIT when server policy requires authentication"; STARTTLS must
 * come before AUTH on a port that wants TLS, and HELP asks for nothing.
 */
const ALLOWED_BEFORE_AUTH = new Set(["AUTH", "EHLO", "HELO", "NOOP", "RSET", "QUIT", "STARTTLS", "HELP"]);

/** Throws the 530 a submission session owes a command that needs a login (RFC 6409 §4.3). */
export function requireAuthentication(s: SmtpSession, verb: string): void {
  if (s.submission && s.user === null && !ALLOWED_BEFORE_AUTH.has(verb)) {
    throw new ClientError("auth-required", "authentication required");
  }
}

/**
 * RFC 6409 §6.1: the MSA may refuse a MAIL FROM that is "not authorized with
 * the authentication used". Ours: the user's own address or aliases, or the
 * null reverse-path (a notification a client sends, RFC 5321 §4.5.5).
 */
export function checkSender(s: SmtpSession, reversePath: string): void {
  if (!s.submission || reversePath === "") return;
  const user = s.user === null ? undefined : s.context.users.byLogin(s.user);
  const own = user === undefined ? [] : [user.address, ...user.aliases].map((a) => a.toLowerCase());
  if (!own.includes(reversePath.toLowerCase())) {
    throw new ClientError("sender-not-authorized", `${reversePath} is not an address of ${s.user ?? "this session"}`);
  }
}

/**
 * The fields to put in front of a submitted message that lacks them: Date
 * (RFC 6409 §8.2 MAY; RFC 5322 §3.6 makes it required, and §8 says what the
 * MSA delivers MUST conform) and Message-ID (§8.3 SHOULD). Empty when the
 * message has both. Invalid ones are left as they are.
 */
export function missingOriginFields(parts: readonly Buffer[], date: Date, hostname: string): Buffer {
  const names = fieldNames(headerBlock(parts));
  let added = "";
  if (!names.has("date")) added += `Date: ${rfc5322Date(date)}\r\n`;
  if (!names.has("message-id")) added += `Message-ID: <${randomBytes(9).toString("hex")}.${date.getTime().toString(36)}@${hostname}>\r\n`;
  return Buffer.from(added, "utf8");
}

// The trace fields prepended on delivery: Return-Path with the reverse-path,
// and a Received line that says from whom, by which host, with which
// protocol, under which id, for whom and when.
// Standards: RFC 5321 §4.4, RFC 5322 §3.6.7 and §3.3 (date-time), RFC 3848 and
// RFC 6531 §3.7.3 (with-protocol names), RFC 8314 §4.3 (implicit TLS → ESMTPS).

export interface TraceFacts {
  reversePath: string;
  heloDomain: string;
  clientAddress: string;
  hostname: string;
  extended: boolean;
  /** Received over LMTP (RFC 2033): RFC 3848's LMTP with-protocol names. */
  lmtp?: boolean;
  tls: boolean;
  authenticated: boolean;
  utf8: boolean;
  id: string;
  recipient: string;
  date: Date;
}

/**
 * Return-Path: <reverse-path>
 * Received: from HELO ([ip]) by host with ESMTPSA id ID for <rcpt>; date
 * (TCP-info = address-literal, RFC 5321 §4.4; folded at FWS to stay short).
 */
export function traceHeaders(t: TraceFacts): Buffer {
  const literal = t.clientAddress.includes(":") ? `[IPv6:${t.clientAddress}]` : `[${t.clientAddress}]`;
  return Buffer.from(
    `Return-Path: <${t.reversePath}>\r\n` +
      `Received: from ${t.heloDomain} (${literal})\r\n` +
      `\tby ${t.hostname} with ${withProtocol(t)} id ${t.id}\r\n` +
      `\tfor <${t.recipient}>; ${rfc5322Date(t.date)}\r\n`,
    "utf8",
  );
}

/** RFC 3848: SMTP (HELO), ESMTP + S (TLS) + A (AUTH), LMTP + S + A; RFC 6531: UTF8SMTP, UTF8LMTP... */
function withProtocol(t: TraceFacts): string {
  const base = t.lmtp ? (t.utf8 ? "UTF8LMTP" : "LMTP") : t.utf8 ? "UTF8SMTP" : t.extended ? "ESMTP" : "SMTP";
  if (!t.tls && !t.authenticated) return base;
  const stem = base === "SMTP" ? "ESMTP" : base;
  return stem + (t.tls ? "S" : "") + (t.authenticated ? "A" : "");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** date-time = [ day-of-week "," ] date time, in UTC: "Wed, 26 Nov 2025 10:21:00 +0000". */
export function rfc5322Date(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${DAYS[date.getUTCDay()]}, ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

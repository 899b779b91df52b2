// Delivery status notifications this server issues: once a message is in
// the recipients' mailboxes, a "delivered" report to a local sender for the
// recipients whose RCPT asked NOTIFY=SUCCESS. Delivery happens before the
// 250 here, so there is never a failure after it to report; a failure
// before it is the reply itself. Reports go only to local mailboxes (this
// server never relays) and carry the null reverse-path, so none is ever
// answered with another.
// Standards: RFC 3461 §4.1 (NOTIFY=SUCCESS), §5 (issuing DSNs; null reverse-path), RFC 3462 /
// RFC 6522 (multipart/report, text/rfc822-headers), RFC 3464 §2 (message/delivery-status
// fields), RFC 3834 §5 (Auto-Submitted), RFC 5322 §3.6.

import { randomBytes } from "node:crypto";
import type { Notify } from "./dsn.ts";
import type { Recipient, Transaction } from "./states.ts";
import { rfc5322Date } from "./trace-headers.ts";

export interface ReportFacts {
  /** The reporting MTA's host name (Reporting-MTA: dns; …). */
  hostname: string;
  /** Where the report goes: the transaction's reverse-path. */
  to: string;
  envid: string | undefined;
  arrival: Date;
  /** The recipients the report is about, in RCPT order. */
  recipients: readonly Recipient[];
  /** The delivered message's header block (CRLF lines), returned as text/rfc822-headers. */
  originalHeader: string;
  /** When the report is made. */
  date: Date;
}

/** The recipients whose NOTIFY asked for a report on successful delivery (RFC 3461 §4.1). */
export function wantSuccessReport(t: Transaction): Recipient[] {
  if (t.reversePath === "") return [];
  return t.recipients.filter((r) => asksFor(r.dsn.notify, "SUCCESS"));
}

function asksFor(notify: Notify | undefined, condition: "SUCCESS" | "FAILURE" | "DELAY"): boolean {
  return notify !== undefined && notify !== "NEVER" && notify.has(condition);
}

/**
 * multipart/report; report-type=delivery-status with its three parts: a
 * human-readable note, the message/delivery-status fields (per-message,
 * then one block per recipient: Action delivered, Status 2.0.0), and the
 * original header (RFC 3461 §4.3: only a "failed" DSN returns the content).
 */
export function deliveredReport(f: ReportFacts): Buffer {
  const boundary = `=_mc-report-${randomBytes(12).toString("hex")}`;
  const perMessage = [`Reporting-MTA: dns; ${f.hostname}`];
  // Original-Envelope-Id is the ENVID as the client gave it decoded; printable ASCII only (RFC 3464 §2.2.1).
  if (f.envid !== undefined && /^[\x20-\x7e]+$/.test(f.envid)) perMessage.push(`Original-Envelope-Id: ${f.envid}`);
  perMessage.push(`Arrival-Date: ${rfc5322Date(f.arrival)}`);
  const perRecipient = f.recipients.map((r) => {
    const lines = [];
    if (r.dsn.orcpt !== undefined && /^[\x21-\x7e]+$/.test(r.dsn.orcpt.address)) lines.push(`Original-Recipient: ${r.dsn.orcpt.addrType}; ${r.dsn.orcpt.address}`);
    lines.push(`Final-Recipient: rfc822; ${r.address}`, "Action: delivered", "Status: 2.0.0");
    return lines.join("\r\n") + "\r\n";
  });
  const text =
    `From: Mail Delivery System <MAILER-DAEMON@${f.hostname}>\r\n` +
    `To: <${f.to}>\r\n` +
    `Subject: Delivery Status Notification (delivered)\r\n` +
    `Date: ${rfc5322Date(f.date)}\r\n` +
    `Message-ID: <${randomBytes(9).toString("hex")}.${f.date.getTime().toString(36)}@${f.hostname}>\r\n` +
    `Auto-Submitted: auto-replied\r\n` +
    `MIME-Version: 1.0\r\n` +
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"\r\n` +
    `\r\n` +
    `This is a delivery status notification in MIME format.\r\n` +
    `\r\n--${boundary}\r\n` +
    `Content-Type: text/plain; charset=us-ascii\r\n` +
    `\r\n` +
    `Your message was delivered to:\r\n` +
    f.recipients.map((r) => `  <${r.address}>\r\n`).join("") +
    `\r\n--${boundary}\r\n` +
    `Content-Type: message/delivery-status\r\n` +
    `\r\n` +
    perMessage.join("\r\n") +
    "\r\n" +
    perRecipient.map((block) => `\r\n${block}`).join("") +
    `\r\n--${boundary}\r\n` +
    `Content-Type: text/rfc822-headers\r\n` +
    `\r\n` +
    f.originalHeader +
    `\r\n--${boundary}--\r\n`;
  return Buffer.from(text, "latin1");
}

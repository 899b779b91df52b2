// Delivery status notifications this server issues, once the message is in
// the mailboxes it could reach: a "delivered" report for the recipients whose
// RCPT asked NOTIFY=SUCCESS, and a "failed" report for those whose copy
// failed for good after the transaction was accepted (a mailbox over its
// quota) and who asked NOTIFY=FAILURE or gave no NOTIFY (RFC 3461's default).
// One report covers every such recipient of a transaction. A failure before
// the 250 is the reply itself, and LMTP says each recipient's outcome in its
// own reply, so neither gets a failure report. Reports go only to local
// mailboxes (this server never relays) and carry the null reverse-path, so
// none is ever answered with another.
// Standards: RFC 3461 §4.1 (NOTIFY, the FAILURE default), §4.3 (RET), §5 (issuing DSNs; null
// reverse-path), RFC 3462 / RFC 6522 (multipart/report, text/rfc822-headers), RFC 3464 §2
// (message/delivery-status fields), RFC 3463 (status codes), RFC 3834 §5 (Auto-Submitted), RFC 5322 §3.6.

import { randomBytes } from "node:crypto";
import type { Notify } from "./dsn.ts";
import type { Recipient, Transaction } from "./states.ts";
import { rfc5322Date } from "./trace-headers.ts";

/** What became of one recipient the report is about. */
export type RecipientOutcome =
  | { recipient: Recipient; action: "delivered" }
  /** `status` an RFC 3463 code, `diagnostic` the reply the failure would have had (e.g. "552 5.2.2 mailbox full"). */
  | { recipient: Recipient; action: "failed"; status: string; diagnostic: string };

export interface ReportFacts {
  /** The reporting MTA's host name (Reporting-MTA: dns; …). */
  hostname: string;
  /** Where the report goes: the transaction's reverse-path. */
  to: string;
  envid: string | undefined;
  arrival: Date;
  /** The recipients the report is about, in RCPT order. */
  outcomes: readonly RecipientOutcome[];
  /** The message's header block (CRLF lines), returned as text/rfc822-headers. */
  originalHeader: string;
  /** The whole message, returned as message/rfc822 in a failure report when MAIL said RET=FULL. */
  originalMessage: Buffer | undefined;
  /** When the report is made. */
  date: Date;
}

function asksFor(notify: Notify | undefined, condition: "SUCCESS" | "FAILURE" | "DELAY"): boolean {
  return notify !== undefined && notify !== "NEVER" && notify.has(condition);
}

/** NOTIFY=SUCCESS asks for a report on successful delivery (RFC 3461 §4.1). */
export function wantsSuccessReport(r: Recipient): boolean {
  return asksFor(r.dsn.notify, "SUCCESS");
}

/** NOTIFY=FAILURE asks for one on failure; no NOTIFY means the default, which "SHOULD be NOTIFY=FAILURE" (RFC 3461 §4.1). */
export function wantsFailureReport(r: Recipient): boolean {
  return r.dsn.notify === undefined || asksFor(r.dsn.notify, "FAILURE");
}

/** Whether any report may come of this transaction: never for the null reverse-path (RFC 3461 §5.2.1, RFC 5321 §4.5.5). */
export function mayReport(t: Transaction): boolean {
  return t.reversePath !== "" && t.recipients.some((r) => wantsSuccessReport(r) || wantsFailureReport(r));
}

/**
 * multipart/report; report-type=delivery-status with its three parts: a
 * human-readable note, the message/delivery-status fields (per-message,
 * then one block per recipient), and the returned message: the whole of it
 * when a recipient failed and RET=FULL asked for it, else its header (RFC
 * 3461 §4.3: only a "failed" DSN returns the content).
 */
export function deliveryReport(f: ReportFacts): Buffer {
  const boundary = `=_mc-report-${randomBytes(12).toString("hex")}`;
  const failed = f.outcomes.some((o) => o.action === "failed");
  const perMessage = [`Reporting-MTA: dns; ${f.hostname}`];
  // Original-Envelope-Id is the ENVID as the client gave it decoded; printable ASCII only (RFC 3464 §2.2.1).
  if (f.envid !== undefined && /^[\x20-\x7e]+$/.test(f.envid)) perMessage.push(`Original-Envelope-Id: ${f.envid}`);
  perMessage.push(`Arrival-Date: ${rfc5322Date(f.arrival)}`);
  const perRecipient = f.outcomes.map((o) => {
    const r = o.recipient;
    const lines = [];
    if (r.dsn.orcpt !== undefined && /^[\x21-\x7e]+$/.test(r.dsn.orcpt.address)) lines.push(`Original-Recipient: ${r.dsn.orcpt.addrType}; ${r.dsn.orcpt.address}`);
    lines.push(`Final-Recipient: rfc822; ${r.address}`);
    if (o.action === "delivered") lines.push("Action: delivered", "Status: 2.0.0");
    else lines.push("Action: failed", `Status: ${o.status}`, `Diagnostic-Code: smtp; ${o.diagnostic}`);
    return lines.join("\r\n") + "\r\n";
  });
  const note = f.outcomes.map((o) =>
    o.action === "delivered" ? `  <${o.recipient.address}>: delivered\r\n` : `  <${o.recipient.address}>: failed, ${o.diagnostic}\r\n`,
  );
  const returned =
    failed && f.originalMessage !== undefined
      ? `Content-Type: message/rfc822\r\n\r\n${f.originalMessage.toString("latin1")}`
      : `Content-Type: text/rfc822-headers\r\n\r\n${f.originalHeader}`;
  const text =
    `From: Mail Delivery System <MAILER-DAEMON@${f.hostname}>\r\n` +
    `To: <${f.to}>\r\n` +
    `Subject: Delivery Status Notification (${failed ? "failure" : "delivered"})\r\n` +
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
    `Your message to these recipients:\r\n` +
    note.join("") +
    `\r\n--${boundary}\r\n` +
    `Content-Type: message/delivery-status\r\n` +
    `\r\n` +
    perMessage.join("\r\n") +
    "\r\n" +
    perRecipient.map((block) => `\r\n${block}`).join("") +
    `\r\n--${boundary}\r\n` +
    returned +
    (returned.endsWith("\r\n") ? "" : "\r\n") +
    `\r\n--${boundary}--\r\n`;
  return Buffer.from(text, "latin1");
}

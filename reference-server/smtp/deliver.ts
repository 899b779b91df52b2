// Hands a finished message to the store, once per recipient user, each copy
// with its own trace headers. Answers only after every copy is durable; any
// store failure becomes a TempFailure so the client retries (452 4.3.1 when
// the disk is full, else 451 4.3.0; the vocabulary reads the cause). SMTP
// has one reply for all recipients, so the first such failure fails the message;
// LMTP has one per recipient (RFC 2033 §4.2), so each copy succeeds or fails alone.
// A copy that would take its user over quota fails for good and for that
// user alone: LMTP answers that recipient 552 5.2.2; SMTP accepts the message
// for the others and sends the sender a failure report (./delivery-report.ts),
// or answers 552 5.2.2 when no recipient is left.
// Copies are handed to the store DELIVERIES_AT_ONCE at a time, each as its own
// trace headers followed by the received body's blocks, which the store
// writes in one gathering write: the body is never joined or copied, and all
// copies share its blocks. The body stays counted in the MemoryBudget (its
// blocks, as reserved) until the last copy is written; each copy adds only its
// own header octets while the store writes it.
// Standards: RFC 5321 §4.1.1.4 (250 means responsibility taken), §4.4, §6.1, RFC 6409 §8.2-8.3, RFC 2033 §4.2,
// RFC 3461 (reports for NOTIFY=SUCCESS and FAILURE, ./delivery-report.ts), RFC 9208 §5 (quota), RFC 3463 X.2.2.

import { randomBytes } from "node:crypto";
import { LimitExceeded, TempFailure } from "../core/errors.ts";
import { diskFaultOf } from "../store/disk-faults.ts";
import { checkQuota, OverQuota } from "../store/quota.ts";
import { messageLength } from "../store/types.ts";
import { DELIVERIES_AT_ONCE } from "./limits.ts";
import type { MessageBody } from "./message-body.ts";
import type { Recipient, SmtpSession, Transaction } from "./states.ts";
import { deliveryReport, mayReport, wantsFailureReport, wantsSuccessReport, type RecipientOutcome } from "./delivery-report.ts";
import { headerBlock } from "./header-block.ts";
import { missingOriginFields } from "./submission.ts";
import { traceHeaders } from "./trace-headers.ts";
import { smtpVocabulary } from "./vocabulary.ts";

/** Why one user's copy was not stored: for now (store trouble) or for good (over quota). */
type CopyFailure = TempFailure | LimitExceeded;

/**
 * Deliver `body` (released once every copy is written) and return the message id used in the
 * Received lines. Throws the first temporary failure, or the permanent one
 * when every copy failed; copies that failed for good while others were
 * stored become a failure report.
 */
export async function deliverMessage(s: SmtpSession, t: Transaction, body: MessageBody): Promise<string> {
  const copies = await deliverCopies(s, t, body, "all-or-nothing");
  const { id, failures, users } = copies;
  for (const failure of failures.values()) if (failure instanceof TempFailure) throw failure;
  const first = failures.values().next();
  if (!first.done && failures.size === users) throw first.value;
  await sendReport(s, t, copies, (r) => {
    const failure = failures.get(r.user);
    if (failure === undefined) return wantsSuccessReport(r) ? { recipient: r, action: "delivered" } : null;
    if (!wantsFailureReport(r)) return null;
    // The reply this recipient would have had, had SMTP one per recipient: "552 5.2.2 mailbox full: …".
    const diagnostic = smtpVocabulary.failure(s, failure, null).trimEnd();
    return { recipient: r, action: "failed", status: diagnostic.split(" ")[1]!, diagnostic };
  });
  return id;
}

/** LMTP: deliver to every recipient user, each on its own; the failure of each user whose copy failed, by user name. */
export async function deliverEach(s: SmtpSession, t: Transaction, body: MessageBody): Promise<Map<string, CopyFailure>> {
  const copies = await deliverCopies(s, t, body, "each");
  // The replies tell each failure; only NOTIFY=SUCCESS still gets a report.
  await sendReport(s, t, copies, (r) => (!copies.failures.has(r.user) && wantsSuccessReport(r) ? { recipient: r, action: "delivered" } : null));
  return copies.failures;
}

interface Copies {
  id: string;
  /** By user name. */
  failures: Map<string, CopyFailure>;
  /** Distinct users the message went to. */
  users: number;
  date: Date;
  /** Read before the body was released: what a report returns. */
  originalHeader: string;
  originalMessage: Buffer | undefined;
}

const ID_OCTETS = 6;
const IDS_PER_DRAW = 256;
let idPool = Buffer.alloc(0);
let idAt = 0;

/**
 * A fresh queue id (12 hex digits) for the Received lines: random, drawn
 * IDS_PER_DRAW at a time, since one randomBytes call per message was 1 % of
 * the event loop under 32 concurrent sessions (profiled).
 */
function nextDeliveryId(): string {
  if (idAt === idPool.length) {
    idPool = randomBytes(ID_OCTETS * IDS_PER_DRAW);
    idAt = 0;
  }
  idAt += ID_OCTETS;
  return idPool.toString("hex", idAt - ID_OCTETS, idAt).toUpperCase();
}

async function deliverCopies(s: SmtpSession, t: Transaction, body: MessageBody, mode: "all-or-nothing" | "each"): Promise<Copies> {
  const id = nextDeliveryId();
  const date = new Date();
  // A user named twice (two addresses, or the same one repeated) gets one copy.
  const firstAddress = new Map<string, string>();
  for (const r of t.recipients) if (!firstAddress.has(r.user)) firstAddress.set(r.user, r.address);
  const { conn, context } = s;
  const copies = [...firstAddress];
  const parts = body.parts();
  // RFC 6409 §8.2, §8.3: a submitted message gets the Date and Message-ID it lacks, the same in every copy.
  const originFields = s.submission ? missingOriginFields(parts, date, context.config.hostname) : Buffer.alloc(0);
  // RFC 3461: a report returns the header, read before the body goes; RET=FULL a failed copy whole (RFC 3461 §4.3).
  const reporting = mayReport(t);
  const originalHeader = reporting ? originFields.toString("latin1") + headerBlock(parts) : "";
  let originalMessage: Buffer | undefined;
  // Only a user with a quota of its own is checked here: counting a mailbox takes its lock and reads every
  // entry, too dear for every delivery against imap.quota's limits, which no suite or soak run comes near.
  const ownQuota = (user: string) => context.users.byLogin(user)?.quota;
  let next = 0;
  let retry = false;
  const failures = new Map<string, CopyFailure>();
  const deliverNext = async () => {
    // SMTP: after a temporary failure no further copy is started, the client retries the whole message.
    while (next < copies.length && (mode === "each" || !retry)) {
      const [user, recipient] = copies[next++]!;
      const trace = traceHeaders({
        reversePath: t.reversePath,
        heloDomain: s.greeting?.domain ?? "unknown",
        clientAddress: conn.remoteAddress,
        hostname: context.config.hostname,
        extended: s.greeting?.verb !== "HELO",
        lmtp: s.lmtp,
        tls: conn.tls,
        authenticated: s.user !== null,
        utf8: t.utf8,
        id,
        recipient,
        date,
      });
      const head = originFields.length > 0 ? Buffer.concat([trace, originFields]) : trace;
      const message = [head, ...parts];
      const octets = messageLength(message);
      context.memory.charge(head.length);
      try {
        const limits = ownQuota(user);
        if (limits) await checkQuota(context.store, user, limits, { octets, messages: 1 });
        await context.store.deliver(user, message);
      } catch (error) {
        context.log?.(`${conn.id} delivery to ${user} failed: ${error instanceof Error ? error.message : String(error)}`);
        if (error instanceof OverQuota) {
          failures.set(user, new LimitExceeded("mailbox-full", `mailbox full: ${error.message}`));
          // Kept past the memory charge below: a report is made of it at once, then it goes.
          if (reporting && t.dsn.ret === "FULL") originalMessage ??= Buffer.concat(message, octets);
        } else {
          const text = diskFaultOf(error) === "full" ? "insufficient system storage, try again later" : "local delivery failed, try again later";
          failures.set(user, new TempFailure(text, { cause: error }));
          retry = true;
        }
      } finally {
        context.memory.release(head.length);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(DELIVERIES_AT_ONCE, copies.length) }, deliverNext));
  } finally {
    // Every copy is written (or failed): the blocks they shared go, and so does their count.
    body.release();
  }
  return { id, failures, users: copies.length, date, originalHeader, originalMessage };
}

/**
 * Put a report on the recipients `outcome` picks into the sender's mailbox
 * when the sender is local; the transaction is already answered for, so a
 * report that cannot be stored is logged, never turned into its failure.
 */
async function sendReport(s: SmtpSession, t: Transaction, copies: Copies, outcome: (r: Recipient) => RecipientOutcome | null): Promise<void> {
  if (t.reversePath === "") return;
  const outcomes = t.recipients.flatMap((r) => outcome(r) ?? []);
  if (outcomes.length === 0) return;
  const { config, users, store, log } = s.context;
  const at = t.reversePath.lastIndexOf("@");
  const domain = t.reversePath.slice(at + 1).toLowerCase();
  const sender = at > 0 && config.domains.includes(domain) ? users.recipient(t.reversePath.slice(0, at), domain) : undefined;
  if (sender === undefined) {
    log?.(`${s.conn.id} no local mailbox for the delivery report to <${t.reversePath}>; not sent`);
    return;
  }
  const { originalHeader, originalMessage } = copies;
  const report = deliveryReport({ hostname: config.hostname, to: t.reversePath, envid: t.dsn.envid, arrival: copies.date, outcomes, originalHeader, originalMessage, date: new Date() });
  try {
    // RFC 3461 §5: a DSN is sent with the null reverse-path.
    await store.deliver(sender.name, Buffer.concat([Buffer.from("Return-Path: <>\r\n"), report]));
  } catch (error) {
    log?.(`${s.conn.id} delivery report to <${t.reversePath}> not stored: ${error instanceof Error ? error.message : String(error)}`);
  }
}

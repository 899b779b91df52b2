// Hands a finished message to the store, once per recipient user, each copy
// with its own trace headers. Answers only after every copy is durable; any
// store failure becomes a TempFailure so the client retries (452 4.3.1 when
// the disk is full, else 451 4.3.0; the vocabulary reads the cause). SMTP
// has one reply for all recipients, so the first failure fails the message;
// LMTP has one per recipient (RFC 2033 §4.2), so each copy succeeds or fails alone.
// Copies are made DELIVERIES_AT_ONCE at a time, a slice per turn of the event
// loop, and counted in the MemoryBudget; the received body is given back as
// soon as the last copy is made, so a one-recipient message is held once
// while the store writes it, not twice.
// Standards: RFC 5321 §4.1.1.4 (250 means responsibility taken), §4.4, §6.1, RFC 6409 §8.2-8.3, RFC 2033 §4.2,
// RFC 3461 (a "delivered" report for NOTIFY=SUCCESS, ./delivery-report.ts).

import { randomBytes } from "node:crypto";
import { TempFailure } from "../core/errors.ts";
import { diskFaultOf } from "../store/disk-faults.ts";
import { COPY_OCTETS_PER_TURN, DELIVERIES_AT_ONCE } from "./limits.ts";
import type { MessageBody } from "./message-body.ts";
import type { Recipient, SmtpSession, Transaction } from "./states.ts";
import { deliveredReport, wantSuccessReport } from "./delivery-report.ts";
import { headerBlock } from "./header-block.ts";
import { missingOriginFields } from "./submission.ts";
import { traceHeaders } from "./trace-headers.ts";

/** Deliver `body` (released once copied) and return the message id used in the Received lines; throws the first copy's failure. */
export async function deliverMessage(s: SmtpSession, t: Transaction, body: MessageBody): Promise<string> {
  const { id, failures } = await deliverCopies(s, t, body, "all-or-nothing");
  const first = failures.values().next();
  if (!first.done) throw first.value;
  return id;
}

/** LMTP: deliver to every recipient user, each on its own; the failure of each user whose copy failed, by user name. */
export async function deliverEach(s: SmtpSession, t: Transaction, body: MessageBody): Promise<Map<string, TempFailure>> {
  return (await deliverCopies(s, t, body, "each")).failures;
}

async function deliverCopies(s: SmtpSession, t: Transaction, body: MessageBody, mode: "all-or-nothing" | "each"): Promise<{ id: string; failures: Map<string, TempFailure> }> {
  const id = randomBytes(6).toString("hex").toUpperCase();
  const date = new Date();
  // A user named twice (two addresses, or the same one repeated) gets one copy.
  const firstAddress = new Map<string, string>();
  for (const r of t.recipients) if (!firstAddress.has(r.user)) firstAddress.set(r.user, r.address);
  const { conn, context } = s;
  const copies = [...firstAddress];
  const parts = body.parts();
  // RFC 6409 §8.2, §8.3: a submitted message gets the Date and Message-ID it lacks, the same in every copy.
  const originFields = s.submission ? missingOriginFields(parts, date, context.config.hostname) : Buffer.alloc(0);
  // RFC 3461: recipients that asked NOTIFY=SUCCESS get a "delivered" report; it returns the header, read before the body goes.
  const reported = wantSuccessReport(t);
  const originalHeader = reported.length > 0 ? originFields.toString("latin1") + headerBlock(parts) : "";
  let next = 0;
  let made = 0;
  const failures = new Map<string, TempFailure>();
  const deliverNext = async () => {
    // SMTP: after a failure no further copy is started, the client retries the whole message.
    while (next < copies.length && (mode === "each" || failures.size === 0)) {
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
      const message = await joined(originFields.length > 0 ? Buffer.concat([trace, originFields]) : trace, parts);
      context.memory.charge(message.length);
      if (++made === copies.length) {
        body.release();
        parts.length = 0;
      }
      try {
        await context.store.deliver(user, message);
      } catch (error) {
        context.log?.(`${conn.id} delivery to ${user} failed: ${error instanceof Error ? error.message : String(error)}`);
        const text = diskFaultOf(error) === "full" ? "insufficient system storage, try again later" : "local delivery failed, try again later";
        failures.set(user, new TempFailure(text, { cause: error }));
      } finally {
        context.memory.release(message.length);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERIES_AT_ONCE, copies.length) }, deliverNext));
  if (failures.size === 0 && reported.length > 0) await sendDeliveredReport(s, t, reported, originalHeader, date);
  return { id, failures };
}

/**
 * Put the "delivered" report into the sender's mailbox when the sender is
 * local; the message is already delivered, so a report that cannot be
 * stored is logged, never turned into a failure of the transaction.
 */
async function sendDeliveredReport(s: SmtpSession, t: Transaction, recipients: Recipient[], originalHeader: string, arrival: Date): Promise<void> {
  const { config, users, store, log } = s.context;
  const at = t.reversePath.lastIndexOf("@");
  const domain = t.reversePath.slice(at + 1).toLowerCase();
  const sender = at > 0 && config.domains.includes(domain) ? users.recipient(t.reversePath.slice(0, at), domain) : undefined;
  if (sender === undefined) {
    log?.(`${s.conn.id} no local mailbox for the delivery report to <${t.reversePath}>; not sent`);
    return;
  }
  const report = deliveredReport({ hostname: config.hostname, to: t.reversePath, envid: t.dsn.envid, arrival, recipients, originalHeader, date: new Date() });
  try {
    // RFC 3461 §5: a DSN is sent with the null reverse-path.
    await store.deliver(sender.name, Buffer.concat([Buffer.from("Return-Path: <>\r\n"), report]));
  } catch (error) {
    log?.(`${s.conn.id} delivery report to <${t.reversePath}> not stored: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The trace headers and the body in one buffer for the store, copied a slice
 * per turn: ten 24 MiB messages ending together were 240 MiB of copying in one
 * turn, and every other client's reply waited 150 ms for it.
 */
async function joined(trace: Buffer, parts: readonly Buffer[]): Promise<Buffer> {
  const out = Buffer.allocUnsafe(parts.reduce((octets, part) => octets + part.length, trace.length));
  let at = trace.copy(out, 0);
  let sinceTurn = 0;
  for (const part of parts) {
    at += part.copy(out, at);
    sinceTurn += part.length;
    if (sinceTurn >= COPY_OCTETS_PER_TURN) {
      sinceTurn = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return out;
}

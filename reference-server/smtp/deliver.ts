// Hands a finished message to the store, once per recipient user, each copy
// with its own trace headers. Answers only after every copy is durable; any
// store failure becomes a TempFailure so the client retries (452 4.3.1 when
// the disk is full, else 451 4.3.0; the vocabulary reads the cause).
// Copies are made DELIVERIES_AT_ONCE at a time, a slice per turn of the event
// loop, and counted in the MemoryBudget; the received body is given back as
// soon as the last copy is made, so a one-recipient message is held once
// while the store writes it, not twice.
// Standards: RFC 5321 §4.1.1.4 (250 means responsibility taken), §4.4, §6.1.

import { randomBytes } from "node:crypto";
import { TempFailure } from "../core/errors.ts";
import { diskFaultOf } from "../store/disk-faults.ts";
import { COPY_OCTETS_PER_TURN, DELIVERIES_AT_ONCE } from "./limits.ts";
import type { MessageBody } from "./message-body.ts";
import type { SmtpSession, Transaction } from "./states.ts";
import { traceHeaders } from "./trace-headers.ts";

/** Deliver `body` (released once copied) and return the message id used in the Received lines. */
export async function deliverMessage(s: SmtpSession, t: Transaction, body: MessageBody): Promise<string> {
  const id = randomBytes(6).toString("hex").toUpperCase();
  const date = new Date();
  // A user named twice (two addresses, or the same one repeated) gets one copy.
  const firstAddress = new Map<string, string>();
  for (const r of t.recipients) if (!firstAddress.has(r.user)) firstAddress.set(r.user, r.address);
  const { conn, context } = s;
  const copies = [...firstAddress];
  const parts = body.parts();
  let next = 0;
  let made = 0;
  let failed = false;
  const deliverCopies = async () => {
    // After a failure no further copy is started: the client retries the whole message.
    while (next < copies.length && !failed) {
      const [user, recipient] = copies[next++]!;
      const trace = traceHeaders({
        reversePath: t.reversePath,
        heloDomain: s.greeting?.domain ?? "unknown",
        clientAddress: conn.remoteAddress,
        hostname: context.config.hostname,
        extended: s.greeting?.verb === "EHLO",
        tls: conn.tls,
        authenticated: s.user !== null,
        utf8: t.utf8,
        id,
        recipient,
        date,
      });
      const message = await joined(trace, parts);
      context.memory.charge(message.length);
      if (++made === copies.length) {
        body.release();
        parts.length = 0;
      }
      try {
        await context.store.deliver(user, message);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        context.memory.release(message.length);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(DELIVERIES_AT_ONCE, copies.length) }, deliverCopies));
  } catch (error) {
    context.log?.(`${conn.id} delivery failed: ${error instanceof Error ? error.message : String(error)}`);
    const text = diskFaultOf(error) === "full" ? "insufficient system storage, try again later" : "local delivery failed, try again later";
    throw new TempFailure(text, { cause: error });
  }
  return id;
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

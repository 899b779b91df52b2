// Hands a finished message to the store, once per recipient user, each copy
// with its own trace headers. Answers only after every copy is durable; any
// store failure becomes a TempFailure (451 4.3.0) so the client retries.
// Standards: RFC 5321 §4.1.1.4 (250 means responsibility taken), §4.4, §6.1.

import { randomBytes } from "node:crypto";
import { TempFailure } from "../core/errors.ts";
import type { SmtpSession, Transaction } from "./states.ts";
import { traceHeaders } from "./trace-headers.ts";

/** Deliver and return the message id used in the Received lines. */
export async function deliverMessage(s: SmtpSession, t: Transaction, body: Buffer): Promise<string> {
  const id = randomBytes(6).toString("hex").toUpperCase();
  const date = new Date();
  // A user named twice (two addresses, or the same one repeated) gets one copy.
  const firstAddress = new Map<string, string>();
  for (const r of t.recipients) if (!firstAddress.has(r.user)) firstAddress.set(r.user, r.address);
  const { conn, context } = s;
  try {
    await Promise.all(
      [...firstAddress].map(([user, recipient]) => {
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
        return context.store.deliver(user, Buffer.concat([trace, body]));
      }),
    );
  } catch (error) {
    context.log?.(`${conn.id} delivery failed: ${error instanceof Error ? error.message : String(error)}`);
    throw new TempFailure("local delivery failed, try again later", { cause: error });
  }
  return id;
}

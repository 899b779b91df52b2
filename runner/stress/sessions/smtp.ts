// One SMTP stress session: greeting, EHLO, one mail transaction, QUIT; every
// reply code checked. The message is dot-stuffed by the shared codec.
// Standards: RFC 5321 §3.3 (mail transaction), §4.1.1, §4.5.2 (transparency), §4.2 (replies).

import { dotStuff } from "../../../wire/dot-stuffing.ts";
import { WireClient } from "../wire-client.ts";
import { connectTimed, stressMessage, timed, type SessionContext } from "./session.ts";

const P = "smtp";

export async function smtpSession(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  const client = await connectTimed(ctx, P, WireClient.connect, (c) => c.smtpReply(220, t));
  try {
    await timed(ctx, P, "EHLO", () => (client.write("EHLO stress.example\r\n"), client.smtpReply(250, t)));
    await timed(ctx, P, "MAIL", () => (client.write(`MAIL FROM:<${ctx.sender}>\r\n`), client.smtpReply(250, t)));
    await timed(ctx, P, "RCPT", () => (client.write(`RCPT TO:<${ctx.user.address}>\r\n`), client.smtpReply(250, t)));
    await timed(ctx, P, "DATA", () => (client.write("DATA\r\n"), client.smtpReply(354, t)));
    const body = dotStuff(stressMessage(ctx.messageOctets, ctx.nextMessageId(), ctx.sender, ctx.user.address, "stress smtp"));
    // Timed from the first octet to the 250: what a client waits for durable acceptance.
    await timed(ctx, P, "end-of-data", () => (client.write(body), client.smtpReply(250, t)));
    await timed(ctx, P, "QUIT", () => (client.write("QUIT\r\n"), client.smtpReply(221, t)));
  } finally {
    client.destroy();
  }
}

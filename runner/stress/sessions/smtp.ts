// One SMTP stress session: greeting, EHLO, one mail transaction, QUIT; every
// reply code checked. The message is dot-stuffed by the shared codec.
// Standards: RFC 5321 §3.3 (mail transaction), §4.1.1, §4.5.2 (transparency), §4.2 (replies).

import { dotStuff } from "../../../wire/dot-stuffing.ts";
import { connectLines, expectSmtp } from "../checks.ts";
import { connectTimed, stressMessage, timed, type SessionContext } from "./session.ts";

const P = "smtp";

export async function smtpSession(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  const client = await connectTimed(ctx, P, connectLines, (c) => expectSmtp(c, null, 220, t));
  try {
    await timed(ctx, P, "EHLO", () => expectSmtp(client, "EHLO stress.example", 250, t));
    await timed(ctx, P, "MAIL", () => expectSmtp(client, `MAIL FROM:<${ctx.sender}>`, 250, t));
    await timed(ctx, P, "RCPT", () => expectSmtp(client, `RCPT TO:<${ctx.user.address}>`, 250, t));
    await timed(ctx, P, "DATA", () => expectSmtp(client, "DATA", 354, t));
    const body = dotStuff(stressMessage(ctx.messageOctets, ctx.nextMessageId(), ctx.sender, ctx.user.address, "stress smtp"));
    // Timed from the first octet to the 250: what a client waits for durable acceptance.
    await timed(ctx, P, "end-of-data", () => expectSmtp(client, body, 250, t));
    await timed(ctx, P, "QUIT", () => expectSmtp(client, "QUIT", 221, t));
  } finally {
    client.close();
  }
}

// One POP3 stress session: greeting, USER/PASS, STAT, RETR of a prepared
// message (its content checked), QUIT. No DELE: the maildrop keeps its size.
// Standards: RFC 1939 §4 (AUTHORIZATION), §5 (STAT, RETR), §6 (QUIT), §3 (multiline, byte-stuffing).

import { connectLines, expectPop3Message, expectPop3Ok, WrongReply } from "../checks.ts";
import { connectTimed, looksLikeMessage, timed, type SessionContext } from "./session.ts";

const P = "pop3";

export async function pop3Session(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  const client = await connectTimed(ctx, P, connectLines, (c) => expectPop3Ok(c, null, t));
  try {
    await timed(ctx, P, "USER", () => expectPop3Ok(client, `USER ${ctx.user.login}`, t));
    await timed(ctx, P, "PASS", () => expectPop3Ok(client, `PASS ${ctx.user.password}`, t));
    await timed(ctx, P, "STAT", async () => {
      const line = await expectPop3Ok(client, "STAT", t);
      // RFC 1939 §5: "+OK" SP count SP octets
      const m = /^\+OK (\d+) (\d+)/.exec(line);
      if (!m) throw new WrongReply(`STAT: expected "+OK n m", got ${JSON.stringify(line)}`);
      if (Number(m[1]) < ctx.seedMessages) throw new WrongReply(`STAT: ${m[1]} messages, the prepared maildrop has ${ctx.seedMessages}`);
    });
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    await timed(ctx, P, "RETR", async () => {
      const body = await expectPop3Message(client, `RETR ${n}`, t);
      if (!looksLikeMessage(body)) throw new WrongReply(`RETR ${n}: the body is not a message (header fields, empty line, body)`);
    });
    await timed(ctx, P, "QUIT", () => expectPop3Ok(client, "QUIT", t));
  } finally {
    client.close();
  }
}

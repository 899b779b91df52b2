// One POP3 stress session: greeting, USER/PASS, STAT, RETR of a prepared
// message (its content checked), QUIT. No DELE: the maildrop keeps its size.
// Standards: RFC 1939 §4 (AUTHORIZATION), §5 (STAT, RETR), §6 (QUIT), §3 (multiline, byte-stuffing).

import { WireClient, WrongReply } from "../wire-client.ts";
import { connectTimed, looksLikeMessage, timed, type SessionContext } from "./session.ts";

const P = "pop3";

export async function pop3Session(ctx: SessionContext): Promise<void> {
  const t = ctx.timeoutMs;
  const client = await connectTimed(ctx, P, WireClient.connect, (c) => c.pop3Ok(t));
  try {
    await timed(ctx, P, "USER", () => (client.write(`USER ${ctx.user.login}\r\n`), client.pop3Ok(t)));
    await timed(ctx, P, "PASS", () => (client.write(`PASS ${ctx.user.password}\r\n`), client.pop3Ok(t)));
    await timed(ctx, P, "STAT", async () => {
      client.write("STAT\r\n");
      const line = await client.pop3Ok(t);
      // RFC 1939 §5: "+OK" SP count SP octets
      const m = /^\+OK (\d+) (\d+)/.exec(line);
      if (!m) throw new WrongReply(`STAT: expected "+OK n m", got ${JSON.stringify(line)}`);
      if (Number(m[1]) < ctx.seedMessages) throw new WrongReply(`STAT: ${m[1]} messages, the prepared maildrop has ${ctx.seedMessages}`);
    });
    const n = 1 + Math.floor(ctx.random() * ctx.seedMessages);
    await timed(ctx, P, "RETR", async () => {
      client.write(`RETR ${n}\r\n`);
      await client.pop3Ok(t);
      const body = await client.pop3Body(t);
      if (!looksLikeMessage(body.text)) throw new WrongReply(`RETR ${n}: the body is not a message (header fields, empty line, body)`);
    });
    await timed(ctx, P, "QUIT", () => (client.write("QUIT\r\n"), client.pop3Ok(t)));
  } finally {
    client.destroy();
  }
}

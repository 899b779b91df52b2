// The POP3 half of leaving a user's account as found, for targets without
// IMAP: the header of every message (TOP n 0) is read, and those carrying this
// run's token (the suites put it in Subject and Message-ID) are deleted; QUIT
// commits. A maildrop another session holds locked is reported, not forced.
// Standards: RFC 1939 §5 (STAT, DELE), §7 (TOP), §6 (QUIT: the UPDATE state); RFC 2595 §4 (STLS).

import { LineClient } from "../session/line-client.ts";
import { pop3Command, readPop3Body, readPop3Status } from "../session/line-replies.ts";
import { SweepError, type SweepAccess, type SweepCount } from "./sweep-result.ts";

export async function sweepPop3(o: SweepAccess): Promise<SweepCount> {
  const pop = await LineClient.connect(o.endpoint, { timeoutMs: o.timeoutMs });
  try {
    await expectOk(pop, undefined);
    if (o.starttls) {
      await expectOk(pop, "STLS");
      await pop.startTls();
    }
    await expectOk(pop, `USER ${o.login}`);
    await expectOk(pop, `PASS ${o.password}`);
    const count = Number(/^\+OK (\d+)/i.exec(await expectOk(pop, "STAT"))?.[1] ?? NaN);
    if (!Number.isInteger(count)) throw new SweepError("STAT: no message count");
    let messages = 0;
    for (let n = 1; n <= count; n++) {
      await expectOk(pop, `TOP ${n} 0`);
      const header = (await readPop3Body(pop)).toString("latin1");
      if (!header.includes(o.token)) continue;
      await expectOk(pop, `DELE ${n}`);
      messages++;
    }
    await expectOk(pop, "QUIT");
    return { mailboxes: 0, messages };
  } finally {
    pop.close();
  }
}

async function expectOk(pop: LineClient, line: string | undefined): Promise<string> {
  const status = line === undefined ? await readPop3Status(pop) : await pop3Command(pop, line);
  if (!status.startsWith("+OK")) throw new SweepError(`${line?.startsWith("PASS ") ? "PASS" : (line ?? "greeting")}: ${status.slice(0, 200)}`);
  return status;
}

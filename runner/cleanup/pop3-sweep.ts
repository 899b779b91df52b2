// The POP3 half of leaving a user's account as found, for targets without
// IMAP: the header of every message (TOP n 0) is read, and those carrying this
// run's token (the suites put it in Subject, Message-ID, an X-Mailconform-Run
// field or the EHLO name a Received field names) are deleted; QUIT commits.
// A maildrop another session holds locked is reported, not forced. Cut off
// before QUIT (a second Ctrl-C), POP3 deletes nothing (RFC 1939 §6).
// Standards: RFC 1939 §5 (STAT, DELE), §7 (TOP), §6 (QUIT: the UPDATE state); RFC 2595 §4 (STLS).

import { LineClient } from "../session/line-client.ts";
import { pop3Command, readPop3Body, readPop3Status } from "../session/line-replies.ts";
import { closeOnAbort, SweepError, type SweepAccess, type SweepCount, type SweepProgress } from "./sweep-result.ts";

export async function sweepPop3(o: SweepAccess, progress: SweepProgress): Promise<SweepCount> {
  return session(o, async (pop, count) => {
    const ours: number[] = [];
    for (let n = 1; n <= count; n++) {
      await expectOk(pop, `TOP ${n} 0`);
      if ((await readPop3Body(pop)).toString("latin1").includes(o.token)) ours.push(n);
    }
    progress.found = { mailboxes: 0, messages: ours.length };
    for (const n of ours) await expectOk(pop, `DELE ${n}`);
    await expectOk(pop, "QUIT");
    progress.removed.messages = ours.length;
    return { mailboxes: 0, messages: ours.length };
  });
}

/** True once the maildrop holds a message whose header has `field: …value…` (each call a new session: it sees new mail). */
export async function pop3HasMessage(o: SweepAccess, field: string, value: string): Promise<boolean> {
  return session(o, async (pop, count) => {
    // The newest message is the likeliest: look from the end.
    const wanted = new RegExp(`^${field.replace(/[^A-Za-z0-9]/g, "\\$&")}:.*${value.replace(/[^A-Za-z0-9]/g, "\\$&")}`, "im");
    let found = false;
    for (let n = count; n >= 1 && !found; n--) {
      await expectOk(pop, `TOP ${n} 0`);
      found = wanted.test((await readPop3Body(pop)).toString("latin1"));
    }
    await expectOk(pop, "QUIT");
    return found;
  });
}

async function session<T>(o: SweepAccess, work: (pop: LineClient, count: number) => Promise<T>): Promise<T> {
  const pop = await LineClient.connect(o.endpoint, { timeoutMs: o.timeoutMs });
  const unhook = closeOnAbort(o.signal, pop);
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
    return await work(pop, count);
  } finally {
    unhook();
    pop.close();
  }
}

async function expectOk(pop: LineClient, line: string | undefined): Promise<string> {
  const status = line === undefined ? await readPop3Status(pop) : await pop3Command(pop, line);
  if (!status.startsWith("+OK")) throw new SweepError(`${line?.startsWith("PASS ") ? "PASS" : (line ?? "greeting")}: ${status.slice(0, 200)}`);
  return status;
}

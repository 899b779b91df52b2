// Before the clock starts: every user's INBOX must hold at least K messages,
// so POP3 RETR and IMAP FETCH of 1..K always find one. A mailbox with fewer
// gets stress messages — by IMAP APPEND when the target speaks IMAP, else by
// SMTP followed by polling POP3 STAT (delivery may be asynchronous, as in Postfix).
// Standards: RFC 3501 §6.4.3 (SELECT), §6.3.11 (APPEND); RFC 5321 §3.3; RFC 1939 §5 (STAT).

import { dotStuff } from "../../wire/dot-stuffing.ts";
import type { LineEndpoint } from "../session/line-client.ts";
import { connectImap, connectLines, expectImapOk, expectPop3Ok, expectSmtp, WrongReply } from "./checks.ts";
import { existsCount, imapQuoted } from "./sessions/imap.ts";
import { SEED_SUBJECT, stressMessage, type StressUser } from "./sessions/session.ts";

// Postfix hands mail to its delivery agent asynchronously; a few seconds is normal on a loaded box.
const DELIVERY_WAIT_MS = 30_000;
const DELIVERY_POLL_MS = 200;

export interface PrepareOptions {
  users: StressUser[];
  imap?: LineEndpoint;
  pop3?: LineEndpoint;
  smtp?: LineEndpoint;
  messages: number;
  messageOctets: number;
  timeoutMs: number;
}

export class PrepareError extends Error {}

/** Throws PrepareError (unreachable server, refused login, wrong reply) naming the user. */
export async function prepareMailboxes(o: PrepareOptions): Promise<void> {
  if (o.messages === 0) return;
  for (const user of o.users) {
    try {
      await prepareUser(o, user);
    } catch (error) {
      if (error instanceof PrepareError) throw error;
      throw new PrepareError(`${user.login}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function prepareUser(o: PrepareOptions, user: StressUser): Promise<void> {
  if (o.imap) await prepareByImap(o, o.imap, user);
  else if (o.pop3 && o.smtp) await prepareBySmtp(o, o.smtp, o.pop3, user);
  else if (o.pop3) {
    const have = await pop3Count(o.pop3, user, o.timeoutMs);
    if (have < o.messages) throw new PrepareError(`${user.login}'s maildrop holds ${have} messages, ${o.messages} needed, and the target has neither IMAP nor SMTP to add them`);
  }
}

async function prepareByImap(o: PrepareOptions, endpoint: LineEndpoint, user: StressUser): Promise<void> {
  const t = o.timeoutMs;
  const imap = await connectImap(endpoint, t);
  try {
    await expectImapOk(imap, `LOGIN ${imapQuoted(user.login)} ${imapQuoted(user.password)}`, t);
    const exists = existsCount((await expectImapOk(imap, "SELECT INBOX", t)).untagged) ?? 0;
    for (let i = exists; i < o.messages; i++) {
      await expectImapOk(imap, "APPEND INBOX", t, stressMessage(o.messageOctets, seedId(user, i), user.address, user.address, `${SEED_SUBJECT} ${i + 1}`));
    }
    await expectImapOk(imap, "LOGOUT", t);
  } finally {
    imap.close();
  }
}

async function prepareBySmtp(o: PrepareOptions, smtp: LineEndpoint, pop3: LineEndpoint, user: StressUser): Promise<void> {
  const have = await pop3Count(pop3, user, o.timeoutMs);
  if (have >= o.messages) return;
  const t = o.timeoutMs;
  const client = await connectLines(smtp, t);
  try {
    await expectSmtp(client, null, 220, t);
    await expectSmtp(client, "EHLO stress.example", 250, t);
    for (let i = have; i < o.messages; i++) {
      await expectSmtp(client, `MAIL FROM:<${user.address}>`, 250, t);
      await expectSmtp(client, `RCPT TO:<${user.address}>`, 250, t);
      await expectSmtp(client, "DATA", 354, t);
      await expectSmtp(client, dotStuff(stressMessage(o.messageOctets, seedId(user, i), user.address, user.address, `${SEED_SUBJECT} ${i + 1}`)), 250, t);
    }
    await expectSmtp(client, "QUIT", 221, t);
  } finally {
    client.close();
  }
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  while ((await pop3Count(pop3, user, o.timeoutMs)) < o.messages) {
    if (Date.now() > deadline) throw new PrepareError(`${user.login}'s maildrop still holds fewer than ${o.messages} messages ${DELIVERY_WAIT_MS} ms after SMTP accepted them`);
    await new Promise((r) => setTimeout(r, DELIVERY_POLL_MS));
  }
}

async function pop3Count(endpoint: LineEndpoint, user: StressUser, timeoutMs: number): Promise<number> {
  const client = await connectLines(endpoint, timeoutMs);
  try {
    await expectPop3Ok(client, null, timeoutMs);
    await expectPop3Ok(client, `USER ${user.login}`, timeoutMs);
    await expectPop3Ok(client, `PASS ${user.password}`, timeoutMs);
    const m = /^\+OK (\d+)/.exec(await expectPop3Ok(client, "STAT", timeoutMs));
    if (!m) throw new WrongReply("STAT: no message count");
    await expectPop3Ok(client, "QUIT", timeoutMs);
    return Number(m[1]);
  } finally {
    client.close();
  }
}

function seedId(user: StressUser, i: number): string {
  return `seed.${i}.${user.login}.${Date.now().toString(36)}@stress.invalid`;
}

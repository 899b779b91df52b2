// Before the clock starts: every user's INBOX must hold at least K messages,
// so POP3 RETR and IMAP FETCH of 1..K always find one. A mailbox with fewer
// gets stress messages — by IMAP APPEND when the target speaks IMAP, else by
// SMTP followed by polling POP3 STAT (delivery may be asynchronous, as in Postfix).
// Standards: RFC 3501 §6.4.3 (SELECT), §6.3.11 (APPEND); RFC 5321 §3.3; RFC 1939 §5 (STAT).

import { dotStuff } from "../../wire/dot-stuffing.ts";
import { ImapConversation, existsCount, imapQuoted } from "./sessions/imap.ts";
import { SEED_SUBJECT, stressMessage, type StressUser } from "./sessions/session.ts";
import { WireClient, WrongReply, type Endpoint } from "./wire-client.ts";

// Postfix hands mail to its delivery agent asynchronously; a few seconds is normal on a loaded box.
const DELIVERY_WAIT_MS = 30_000;
const DELIVERY_POLL_MS = 200;

export interface PrepareOptions {
  users: StressUser[];
  imap?: Endpoint;
  pop3?: Endpoint;
  smtp?: Endpoint;
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

async function prepareByImap(o: PrepareOptions, endpoint: Endpoint, user: StressUser): Promise<void> {
  const client = await WireClient.connect(endpoint, o.timeoutMs);
  try {
    const imap = new ImapConversation(client, o.timeoutMs);
    await imap.greeting();
    await imap.command(`LOGIN ${imapQuoted(user.login)} ${imapQuoted(user.password)}`);
    const exists = existsCount((await imap.command("SELECT INBOX")).untagged) ?? 0;
    for (let i = exists; i < o.messages; i++) {
      await imap.command("APPEND INBOX", stressMessage(o.messageOctets, seedId(user, i), user.address, user.address, `${SEED_SUBJECT} ${i + 1}`));
    }
    await imap.command("LOGOUT");
  } finally {
    client.destroy();
  }
}

async function prepareBySmtp(o: PrepareOptions, smtp: Endpoint, pop3: Endpoint, user: StressUser): Promise<void> {
  const have = await pop3Count(pop3, user, o.timeoutMs);
  if (have >= o.messages) return;
  const client = await WireClient.connect(smtp, o.timeoutMs);
  try {
    await client.smtpReply(220, o.timeoutMs);
    client.write("EHLO stress.example\r\n");
    await client.smtpReply(250, o.timeoutMs);
    for (let i = have; i < o.messages; i++) {
      client.write(`MAIL FROM:<${user.address}>\r\n`);
      await client.smtpReply(250, o.timeoutMs);
      client.write(`RCPT TO:<${user.address}>\r\n`);
      await client.smtpReply(250, o.timeoutMs);
      client.write("DATA\r\n");
      await client.smtpReply(354, o.timeoutMs);
      client.write(dotStuff(stressMessage(o.messageOctets, seedId(user, i), user.address, user.address, `${SEED_SUBJECT} ${i + 1}`)));
      await client.smtpReply(250, o.timeoutMs);
    }
    client.write("QUIT\r\n");
    await client.smtpReply(221, o.timeoutMs);
  } finally {
    client.destroy();
  }
  const deadline = Date.now() + DELIVERY_WAIT_MS;
  while ((await pop3Count(pop3, user, o.timeoutMs)) < o.messages) {
    if (Date.now() > deadline) throw new PrepareError(`${user.login}'s maildrop still holds fewer than ${o.messages} messages ${DELIVERY_WAIT_MS} ms after SMTP accepted them`);
    await new Promise((r) => setTimeout(r, DELIVERY_POLL_MS));
  }
}

async function pop3Count(endpoint: Endpoint, user: StressUser, timeoutMs: number): Promise<number> {
  const client = await WireClient.connect(endpoint, timeoutMs);
  try {
    await client.pop3Ok(timeoutMs);
    client.write(`USER ${user.login}\r\n`);
    await client.pop3Ok(timeoutMs);
    client.write(`PASS ${user.password}\r\n`);
    await client.pop3Ok(timeoutMs);
    client.write("STAT\r\n");
    const m = /^\+OK (\d+)/.exec(await client.pop3Ok(timeoutMs));
    if (!m) throw new WrongReply("STAT: no message count");
    client.write("QUIT\r\n");
    await client.pop3Ok(timeoutMs);
    return Number(m[1]);
  } finally {
    client.destroy();
  }
}

function seedId(user: StressUser, i: number): string {
  return `seed.${i}.${user.login}.${Date.now().toString(36)}@stress.invalid`;
}

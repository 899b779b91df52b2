// `mailconform stress` as a library: prepare the mailboxes, then N clients
// each run sessions drawn from the weighted protocol mix (seeded: client i
// draws from seed+i) until the duration ends or the operation budget is
// spent. Every reply is checked; a wrong one is that command's error and ends
// its session. POP3 sessions of one user never overlap: RFC 1939 §8 lets a
// server lock the maildrop, and a lock refusal is not a load result.
// Standards: RFC 1939 §8 (maildrop lock).

import type { Target } from "../model/target.ts";
import { LatencyBook, type CommandSummary, type ErrorSummary } from "./latency.ts";
import { pickProtocol, seededRandom, STRESS_PROTOCOLS, type Mix, type StressProtocol } from "./mix.ts";
import { prepareMailboxes } from "./prepare.ts";
import { imapSession } from "./sessions/imap.ts";
import { pop3Session } from "./sessions/pop3.ts";
import { SessionAborted, type SessionContext, type StressUser } from "./sessions/session.ts";
import { smtpSession } from "./sessions/smtp.ts";
import type { LineEndpoint } from "../session/line-client.ts";

export interface StressOptions {
  target: Target;
  mix: Mix;
  clients: number;
  /** Stop starting sessions after this long … */
  durationMs?: number;
  /** … or after this many sessions in all (one of the two). */
  operations?: number;
  seed: number;
  timeoutMs: number;
  /** Messages each INBOX must hold before the run (see prepare.ts). */
  mailboxMessages: number;
  messageOctets: number;
  /** IMAP sessions stay logged in for this many commands (sessions/imap.ts); 0 or absent: the short session. */
  imapCommandsPerSession?: number;
  /** Called once the mailboxes are prepared, as the timed run starts (a bench reads CPU counters here). */
  onTimedStart?: () => void;
}

export interface StressResult {
  version: 1;
  target: { name: string; host: string };
  options: { mix: Mix; clients: number; durationMs?: number; operations?: number; seed: number; mailboxMessages: number; messageOctets: number; imapCommandsPerSession?: number };
  wallSeconds: number;
  sessions: Record<StressProtocol, { completed: number; failed: number; perSecond: number }>;
  commands: CommandSummary[];
  errors: ErrorSummary[];
  totalErrors: number;
}

export class StressSetupError extends Error {}

const SESSIONS: Record<StressProtocol, (ctx: SessionContext) => Promise<void>> = { smtp: smtpSession, pop3: pop3Session, imap: imapSession };

function endpointOf(target: Target, protocol: StressProtocol): LineEndpoint | undefined {
  const e = target.endpoints[protocol];
  if (!e) return undefined;
  // STARTTLS endpoints are driven in the clear: the load is the protocol, not the handshake.
  return { host: target.host, port: e.port, tls: e.tls === "implicit", insecure: target.insecure };
}

export async function runStress(o: StressOptions): Promise<StressResult> {
  const active = STRESS_PROTOCOLS.filter((p) => o.mix[p] > 0);
  const endpoints: Partial<Record<StressProtocol, LineEndpoint>> = {};
  for (const p of STRESS_PROTOCOLS) {
    const e = endpointOf(o.target, p);
    if (e) endpoints[p] = e;
  }
  const missing = active.filter((p) => !endpoints[p]);
  if (missing.length > 0) throw new StressSetupError(`the target has no ${missing.join(", ")} port`);
  const users: StressUser[] = o.target.users;
  if (users.length === 0) throw new StressSetupError("the target names no user");
  if ((o.durationMs === undefined) === (o.operations === undefined)) throw new StressSetupError("give either a duration or a number of operations");

  if (active.includes("pop3") || active.includes("imap")) {
    await prepareMailboxes({
      users,
      imap: endpoints.imap,
      pop3: endpoints.pop3,
      smtp: endpoints.smtp,
      messages: o.mailboxMessages,
      messageOctets: o.messageOctets,
      timeoutMs: o.timeoutMs,
    });
  }

  const book = new LatencyBook();
  const sessions = { smtp: { completed: 0, failed: 0, perSecond: 0 }, pop3: { completed: 0, failed: 0, perSecond: 0 }, imap: { completed: 0, failed: 0, perSecond: 0 } };
  const pop3Locks = new Map<string, Promise<void>>();
  let remaining = o.operations ?? Infinity;
  let messageCounter = 0;
  const runId = `${o.seed}.${Date.now().toString(36)}`;
  o.onTimedStart?.();
  const started = performance.now();
  const endAt = o.durationMs === undefined ? Infinity : started + o.durationMs;

  const client = async (index: number) => {
    const random = seededRandom(o.seed + index);
    while (remaining > 0 && performance.now() < endAt) {
      remaining--;
      const protocol = pickProtocol(o.mix, random);
      const user = users[Math.floor(random() * users.length)]!;
      const ctx: SessionContext = {
        endpoint: endpoints[protocol]!,
        user,
        sender: users[0]!.address,
        timeoutMs: o.timeoutMs,
        random,
        seedMessages: o.mailboxMessages,
        messageOctets: o.messageOctets,
        nextMessageId: () => `stress.${runId}.${++messageCounter}@stress.invalid`,
        imapCommandsPerSession: o.imapCommandsPerSession ?? 0,
        book,
      };
      let release: (() => void) | undefined;
      if (protocol === "pop3") {
        const before = pop3Locks.get(user.login) ?? Promise.resolve();
        const mine = new Promise<void>((r) => (release = r));
        const chain = before.then(() => mine);
        pop3Locks.set(user.login, chain);
        await before;
      }
      try {
        await SESSIONS[protocol](ctx);
        sessions[protocol].completed++;
      } catch (error) {
        if (!(error instanceof SessionAborted)) throw error;
        sessions[protocol].failed++;
      } finally {
        release?.();
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, (_, i) => client(i)));
  const wallSeconds = (performance.now() - started) / 1000;
  for (const p of STRESS_PROTOCOLS) sessions[p].perSecond = wallSeconds > 0 ? sessions[p].completed / wallSeconds : 0;

  return {
    version: 1,
    target: { name: o.target.name, host: o.target.host },
    options: {
      mix: o.mix,
      clients: o.clients,
      ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}),
      ...(o.operations !== undefined ? { operations: o.operations } : {}),
      seed: o.seed,
      mailboxMessages: o.mailboxMessages,
      messageOctets: o.messageOctets,
      ...(o.imapCommandsPerSession ? { imapCommandsPerSession: o.imapCommandsPerSession } : {}),
    },
    wallSeconds,
    sessions,
    commands: book.summaries(wallSeconds).sort((a, b) => order(a) - order(b)),
    errors: book.errorSummaries(),
    totalErrors: book.totalErrors,
  };
}

const COMMAND_ORDER = ["connect", "EHLO", "MAIL", "RCPT", "DATA", "end-of-data", "USER", "PASS", "STAT", "RETR", "LOGIN", "SELECT", "LIST", "STATUS", "FETCH", "FETCH header", "FETCH body", "STORE", "SEARCH", "APPEND", "UID STORE", "EXPUNGE", "LOGOUT", "QUIT"];
function order(c: CommandSummary): number {
  const i = COMMAND_ORDER.indexOf(c.command);
  return STRESS_PROTOCOLS.indexOf(c.protocol as StressProtocol) * 100 + (i === -1 ? 99 : i);
}

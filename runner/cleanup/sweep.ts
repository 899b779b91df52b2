// Leave the account as found: after a run (an interrupted or failing one too)
// every target user's account (a few at once) is swept of what this run left there — the
// mailboxes it created and the messages it delivered or appended, found by
// the run's token and never by anything else (a mailbox or message without
// the token is never touched). IMAP when the target has it, else POP3, with
// the run's own TLS settings (insecure, tls-ca). Mail the run handed to SMTP
// is waited for first (settle.ts). A second Ctrl-C stops the sweep where it
// is; the report then says what it left.
// Standards: RFC 3501 (IMAP), RFC 1939 (POP3); see imap-sweep.ts, pop3-sweep.ts, settle.ts.

import { readFile } from "node:fs/promises";
import type { Endpoint, Target, TargetUser } from "../model/target.ts";
import type { LineEndpoint } from "../session/line-client.ts";
import { imapHasMessage, sweepImap } from "./imap-sweep.ts";
import { pop3HasMessage, sweepPop3 } from "./pop3-sweep.ts";
import { MARKER_FIELD, sendMarker, waitFor } from "./settle.ts";
import { newProgress, type SweepAccess, type SweepCount } from "./sweep-result.ts";

export interface SweepReport {
  token: string;
  /** Per user login: what was removed. */
  removed: Map<string, SweepCount>;
  /** One line per user whose sweep failed, with the reason. */
  problems: string[];
  /** Other things the user should know (mail that may arrive after the sweep). */
  notes: string[];
  /** The sweep was stopped before it finished: per user login, what it found and left; undefined for a user it never looked at. */
  left?: Map<string, SweepCount | undefined>;
}

export interface SweepOptions {
  /** Bound of every connect and read of the sweep. */
  timeoutMs: number;
  /** Aborted (a second Ctrl-C): the sweep stops at once and reports what it left. */
  signal?: AbortSignal;
  /** The run's tests handed mail to the target's SMTP endpoint: wait for its delivery first. */
  delivered?: boolean;
  /** Bound of that wait; default DELIVERY_WAIT_MS. */
  deliveryWaitMs?: number;
  /** Users swept at once; default SWEEP_CONCURRENCY. */
  concurrency?: number;
}

/** How long mail handed over at the end of the run may take to arrive before the sweep goes ahead without it. */
export const DELIVERY_WAIT_MS = 15_000;
const DELIVERY_POLL_MS = 200;

/** Sweeps every user of `target` one after another; never throws (a failed sweep is a problem line). */
export async function sweepRun(target: Target, token: string, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { token, removed: new Map(), problems: [], notes: [] };
  // A token that is empty or has pattern characters would match what is not ours.
  if (!/^[a-z0-9]{6,}$/i.test(token)) return { ...report, problems: [`not swept: run token ${JSON.stringify(token)} is not a plain token`] };
  const imap = target.endpoints.imap;
  const pop3 = target.endpoints.pop3;
  if (!imap && !pop3) return report;
  const users = uniqueUsers(target.users);
  const done = new Set<string>();
  const stopped = () => {
    report.left ??= new Map();
    for (const u of users) if (!done.has(u.login) && !report.left.has(u.login)) report.left.set(u.login, undefined);
    return report;
  };
  if (options.signal?.aborted) return stopped();

  let ca: Buffer | undefined;
  if (target.tlsCa !== undefined) {
    try {
      ca = await readFile(target.tlsCa);
    } catch (e) {
      return { ...report, problems: users.map((u) => `${u.login}: cannot read the tls-ca file ${target.tlsCa}: ${(e as Error).message}`) };
    }
  }
  const store = imap ? { name: "imap", ep: imap } : { name: "pop3", ep: pop3! };
  const accessOf = (user: TargetUser): SweepAccess => ({ ...access(target, store.ep, user, ca, options), token });

  // The sweep's own marker is no message the run left: it is not counted.
  const marked = options.delivered && target.endpoints.smtp ? await awaitDeliveries(target, target.endpoints.smtp, users, accessOf, store.name, token, ca, options, report) : new Set<string>();
  const ownMarker = (login: string, c: SweepCount): SweepCount => (marked.has(login) && c.messages > 0 ? { ...c, messages: c.messages - 1 } : c);

  // Problems and counts are listed in the users' order, however the sweeps interleave.
  const problems: (string | undefined)[] = [];
  const sweepOne = async (user: TargetUser, i: number) => {
    if (options.signal?.aborted) return;
    const progress = newProgress();
    try {
      const removed = store.name === "imap" ? await sweepImap(accessOf(user), progress) : await sweepPop3(accessOf(user), progress);
      report.removed.set(user.login, ownMarker(user.login, removed));
      done.add(user.login);
    } catch (e) {
      if (options.signal?.aborted) {
        const f = progress.found;
        (report.left ??= new Map()).set(user.login, f && ownMarker(user.login, { mailboxes: f.mailboxes - progress.removed.mailboxes, messages: f.messages - progress.removed.messages }));
        if (progress.removed.mailboxes + progress.removed.messages > 0) report.removed.set(user.login, progress.removed);
        return;
      }
      problems[i] = `${user.login} (${store.name}): ${(e as Error).message}`;
      done.add(user.login);
    }
  };
  await eachAtOnce(users, options.concurrency ?? SWEEP_CONCURRENCY, sweepOne);
  report.problems.push(...problems.filter((p) => p !== undefined));
  report.removed = new Map(users.flatMap((u) => (report.removed.has(u.login) ? [[u.login, report.removed.get(u.login)!] as const] : [])));
  return options.signal?.aborted ? stopped() : report;
}

/** Users swept at once: each holds one connection; a run with a job per user pair leaves many accounts to sweep. */
const SWEEP_CONCURRENCY = 4;

/** Runs `work` for every item, at most `limit` at a time; resolves when all have settled (`work` must not reject). */
async function eachAtOnce<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Sends the marker to every user and waits (one shared bound) until each has it; what did not arrive is a note. Resolves with the logins it arrived for. */
async function awaitDeliveries(
  target: Target,
  smtp: Endpoint,
  users: TargetUser[],
  accessOf: (u: TargetUser) => SweepAccess,
  store: string,
  token: string,
  ca: Buffer | undefined,
  options: SweepOptions,
  report: SweepReport,
): Promise<Set<string>> {
  const arrived = new Set<string>();
  const within = options.deliveryWaitMs ?? DELIVERY_WAIT_MS;
  const started = Date.now();
  let accepted: string[];
  try {
    accepted = await sendMarker({
      ...access(target, smtp, users[0]!, ca, options),
      from: users[0]!.address,
      to: [...new Set(users.map((u) => u.address))],
      token,
    });
  } catch (e) {
    if (!options.signal?.aborted) report.notes.push(`mail the run sent late may still arrive after this sweep: the marker that waits for it could not be sent (${(e as Error).message})`);
    return arrived;
  }
  const notes: (string | undefined)[] = [];
  await eachAtOnce(users.filter((u) => accepted.includes(u.address)), options.concurrency ?? SWEEP_CONCURRENCY, async (user, i) => {
    const look = () => (store === "imap" ? imapHasMessage : pop3HasMessage)(accessOf(user), MARKER_FIELD, token);
    const waited = await waitFor(look, Math.max(0, within - (Date.now() - started)), DELIVERY_POLL_MS, options.signal);
    if (options.signal?.aborted) return;
    if (waited.arrived) arrived.add(user.login);
    else {
      const why = waited.lastError ? ` (last look: ${waited.lastError})` : "";
      notes[i] = `mail the run sent may still arrive for ${user.login} after this sweep: the cleanup's marker message was not in the mailbox within ${Math.round(within / 1000)} s${why}`;
    }
  });
  report.notes.push(...notes.filter((n) => n !== undefined));
  return arrived;
}

function access(target: Target, ep: Endpoint, user: TargetUser, ca: Buffer | undefined, options: SweepOptions): Omit<SweepAccess, "token"> {
  const endpoint: LineEndpoint = { host: target.host, port: ep.port, tls: ep.tls === "implicit", insecure: target.insecure, ...(ca ? { ca } : {}) };
  return {
    endpoint,
    starttls: ep.tls === "starttls",
    login: user.login,
    password: user.password,
    timeoutMs: options.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function uniqueUsers(users: readonly TargetUser[]): TargetUser[] {
  const seen = new Set<string>();
  return users.filter((u) => !seen.has(u.login) && (seen.add(u.login), true));
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The console lines: what the sweep removed, what it left when stopped, and why it could not. */
export function describeSweep(report: SweepReport): string[] {
  const total = sum([...report.removed.values()]);
  const removed = `${count(total.messages, "message", "messages")} and ${count(total.mailboxes, "mailbox", "mailboxes")}`;
  const lines = total.mailboxes + total.messages > 0 ? [`cleanup: removed ${removed} this run left behind`] : [];
  if (report.left) lines.push(describeLeft(report.token, report.left));
  return [...lines, ...report.problems.map((p) => `cleanup: could not sweep ${p}`), ...report.notes.map((n) => `cleanup: ${n}`)];
}

function describeLeft(token: string, left: Map<string, SweepCount | undefined>): string {
  const looked = [...left].filter((e): e is [string, SweepCount] => e[1] !== undefined);
  const unseen = [...left].filter(([, c]) => c === undefined).map(([login]) => login);
  const what = `mailboxes named mc-${token}-… and messages carrying ${token}`;
  if (looked.length === 0) return `cleanup skipped: ${what} may be left in the account${unseen.length === 1 ? "" : "s"} of ${unseen.join(", ")}`;
  const t = sum(looked.map(([, c]) => c));
  const found = `${count(t.mailboxes, "mailbox", "mailboxes")} named mc-${token}-… and ${count(t.messages, "message", "messages")} carrying ${token}`;
  const rest = unseen.length > 0 ? `; not looked at: ${unseen.join(", ")}` : "";
  return `cleanup skipped: left ${found} (${looked.map(([login]) => login).join(", ")})${rest}`;
}

function sum(counts: SweepCount[]): SweepCount {
  return counts.reduce((t, c) => ({ mailboxes: t.mailboxes + c.mailboxes, messages: t.messages + c.messages }), { mailboxes: 0, messages: 0 });
}

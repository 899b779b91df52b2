// Leave the account as found: after a run (an interrupted or failing one too)
// every target user's account is swept of what this run left there — the
// mailboxes it created and the messages it delivered or appended, found by
// the run's token and never by anything else (a mailbox or message without
// the token is never touched). IMAP when the target has it, else POP3.
// Standards: RFC 3501 (IMAP), RFC 1939 (POP3); see imap-sweep.ts, pop3-sweep.ts.

import type { Endpoint, Target, TargetUser } from "../model/target.ts";
import { sweepImap } from "./imap-sweep.ts";
import { sweepPop3 } from "./pop3-sweep.ts";
import type { SweepAccess, SweepCount } from "./sweep-result.ts";

export interface SweepReport {
  /** Per user login: what was removed. */
  removed: Map<string, SweepCount>;
  /** One line per user whose sweep failed, with the reason. */
  problems: string[];
}

export interface SweepOptions {
  /** Bound of every connect and read of the sweep. */
  timeoutMs: number;
}

/** Sweeps every user of `target` one after another; never throws (a failed sweep is a problem line). */
export async function sweepRun(target: Target, token: string, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { removed: new Map(), problems: [] };
  // A token that is empty or has pattern characters would match what is not ours.
  if (!/^[a-z0-9]{6,}$/i.test(token)) return { ...report, problems: [`not swept: run token ${JSON.stringify(token)} is not a plain token`] };
  const imap = target.endpoints.imap;
  const pop3 = target.endpoints.pop3;
  if (!imap && !pop3) return report;
  for (const user of uniqueUsers(target.users)) {
    try {
      const removed = imap
        ? await sweepImap({ ...access(target, imap, user, options), token })
        : await sweepPop3({ ...access(target, pop3!, user, options), token });
      report.removed.set(user.login, removed);
    } catch (e) {
      report.problems.push(`${user.login} (${imap ? "imap" : "pop3"}): ${(e as Error).message}`);
    }
  }
  return report;
}

function access(target: Target, ep: Endpoint, user: TargetUser, options: SweepOptions): Omit<SweepAccess, "token"> {
  return {
    endpoint: { host: target.host, port: ep.port, tls: ep.tls === "implicit", insecure: target.insecure },
    starttls: ep.tls === "starttls",
    login: user.login,
    password: user.password,
    timeoutMs: options.timeoutMs,
  };
}

function uniqueUsers(users: readonly TargetUser[]): TargetUser[] {
  const seen = new Set<string>();
  return users.filter((u) => !seen.has(u.login) && (seen.add(u.login), true));
}

/** One line for the console: what the sweep removed, or why it could not. */
export function describeSweep(report: SweepReport): string[] {
  const total = [...report.removed.values()].reduce((t, c) => ({ mailboxes: t.mailboxes + c.mailboxes, messages: t.messages + c.messages }), { mailboxes: 0, messages: 0 });
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  const removed = `${count(total.messages, "message", "messages")} and ${count(total.mailboxes, "mailbox", "mailboxes")}`;
  const lines = total.mailboxes + total.messages > 0 ? [`cleanup: removed ${removed} this run left behind`] : [];
  return [...lines, ...report.problems.map((p) => `cleanup: could not sweep ${p}`)];
}

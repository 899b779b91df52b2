// Benchmark 3: POP3 and IMAP throughput, the reference server against
// Dovecot, under the same `mailconform stress` mix (runner/stress/): the same
// clients, seed, duration and mailbox contents (each INBOX emptied, then
// filled with the same prepared messages through IMAP APPEND). The ratio is
// completed sessions per second (every reply checked; a wrong one is an
// error, not throughput), per protocol. Rounds alternate which server goes
// first. BENCH_STRESS_SECONDS / BENCH_STRESS_CLIENTS change the load.
// Standards: RFC 1939, RFC 3501 (the commands of runner/stress/sessions/).

import { acquireLane } from "./lib/interop-lane.ts";
import { startReferenceChild } from "./lib/reference-child.ts";
import { markdownTable, ratioCell } from "./lib/table.ts";
import { runStress, type StressOptions, type StressResult } from "../runner/stress/run-stress.ts";
import type { Target } from "../runner/model/target.ts";

const SECONDS = Number(process.env.BENCH_STRESS_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_STRESS_CLIENTS ?? 8);
const ROUNDS = Number(process.env.BENCH_STRESS_ROUNDS ?? 2);
const WARMUP_MS = 1500;
const GOAL = 1.0;
const SETTINGS = { mix: { smtp: 0, pop3: 1, imap: 1 }, clients: CLIENTS, seed: 42, timeoutMs: 15_000, mailboxMessages: 20, messageOctets: 2048 };

export interface ThroughputRow {
  protocol: "pop3" | "imap";
  referencePerSecond: number;
  dovecotPerSecond: number;
  ratio: number;
  referenceErrors: number;
  dovecotErrors: number;
  /** Median latency per command, ms: [command, reference, Dovecot]. */
  medians: [string, number, number][];
}

async function measure(target: Target): Promise<StressResult> {
  const options: StressOptions = { ...SETTINGS, target, durationMs: WARMUP_MS };
  await runStress(options);
  return runStress({ ...options, durationMs: SECONDS * 1000 });
}

function merge(results: StressResult[]): { perSecond: Record<string, number>; errors: Record<string, number>; medians: Map<string, number> } {
  const wall = results.reduce((s, r) => s + r.wallSeconds, 0);
  const perSecond: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const medians = new Map<string, number[]>();
  for (const r of results) {
    for (const p of ["pop3", "imap"] as const) {
      perSecond[p] = (perSecond[p] ?? 0) + r.sessions[p].completed / wall;
      errors[p] = (errors[p] ?? 0) + r.commands.filter((c) => c.protocol === p).reduce((s, c) => s + c.errors, 0);
    }
    for (const c of r.commands) if (c.latencyMs) medians.set(`${c.protocol} ${c.command}`, [...(medians.get(`${c.protocol} ${c.command}`) ?? []), c.latencyMs.median]);
  }
  return { perSecond, errors, medians: new Map([...medians].map(([k, v]) => [k, v.reduce((a, b) => a + b, 0) / v.length])) };
}

export async function benchPop3ImapThroughput(): Promise<ThroughputRow[]> {
  const lane = await acquireLane();
  const reference: StressResult[] = [];
  const dovecot: StressResult[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const runReference = async () => {
        const ref = await startReferenceChild({ profileName: `pop3-imap-${round}` });
        try {
          reference.push(await measure(ref.target));
        } finally {
          await ref.close();
        }
      };
      const runDovecot = async () => {
        await lane.resetMail();
        dovecot.push(await measure(lane.target));
      };
      if (round % 2 === 0) {
        await runReference();
        await runDovecot();
      } else {
        await runDovecot();
        await runReference();
      }
      process.stderr.write(`  pop3-imap round ${round + 1}: reference imap ${reference.at(-1)!.sessions.imap.perSecond.toFixed(0)}/s pop3 ${reference.at(-1)!.sessions.pop3.perSecond.toFixed(0)}/s; Dovecot imap ${dovecot.at(-1)!.sessions.imap.perSecond.toFixed(0)}/s pop3 ${dovecot.at(-1)!.sessions.pop3.perSecond.toFixed(0)}/s\n`);
    }
    await lane.resetMail();
  } finally {
    await lane.release();
  }
  const r = merge(reference);
  const d = merge(dovecot);
  return (["pop3", "imap"] as const).map((protocol) => ({
    protocol,
    referencePerSecond: r.perSecond[protocol]!,
    dovecotPerSecond: d.perSecond[protocol]!,
    ratio: r.perSecond[protocol]! / d.perSecond[protocol]!,
    referenceErrors: r.errors[protocol]!,
    dovecotErrors: d.errors[protocol]!,
    medians: [...r.medians]
      .filter(([k]) => k.startsWith(protocol + " "))
      .map(([k, v]) => [k.slice(protocol.length + 1), v, d.medians.get(k) ?? NaN] as [string, number, number]),
  }));
}

export function formatPop3ImapThroughput(rows: ThroughputRow[]): string {
  const sessions = markdownTable(
    ["protocol", "reference sessions/s", "Dovecot sessions/s", "errors (ref / Dovecot)", "ratio (reference ÷ Dovecot)"],
    rows.map((r) => [r.protocol.toUpperCase(), r.referencePerSecond.toFixed(1), r.dovecotPerSecond.toFixed(1), `${r.referenceErrors} / ${r.dovecotErrors}`, ratioCell(r.ratio, r.ratio >= GOAL)]),
  );
  const medians = markdownTable(
    ["command", "reference median ms", "Dovecot median ms"],
    rows.flatMap((r) => r.medians.map(([c, ref, dov]) => [`${r.protocol.toUpperCase()} ${c}`, ref.toFixed(2), dov.toFixed(2)])),
  );
  return [
    `Goal ≥ ${GOAL.toFixed(1)}× Dovecot. \`mailconform stress\` mix pop3=1,imap=1, ${CLIENTS} clients, ${ROUNDS} rounds × ${SECONDS} s per server (after ${WARMUP_MS / 1000} s warm-up), seed ${SETTINGS.seed};`,
    `every INBOX emptied, then ${SETTINGS.mailboxMessages} prepared messages of ${SETTINGS.messageOctets} B (IMAP APPEND). A POP3 session is USER/PASS/STAT/RETR/QUIT; an IMAP session is`,
    "LOGIN/SELECT/FETCH/STORE/SEARCH/APPEND/UID STORE/EXPUNGE/LOGOUT, one TCP connection each. Dovecot 2.3 as Debian ships it (bench interop lane,",
    "auth_failure_delay 0); reference server in its own Node process. Ratio = completed sessions per second.",
    "",
    sessions,
    "",
    medians,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatPop3ImapThroughput(await benchPop3ImapThroughput()));
}

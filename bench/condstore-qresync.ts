// Benchmark 7: CONDSTORE and QRESYNC on a 10,000-message mailbox, the
// reference server against Dovecot in the same run. Each server gets the same
// mailbox, filled through MULTIAPPEND; then, on one connection:
// - STORE 1:* (UNCHANGEDSINCE m) ±FLAGS (\Flagged) over all 10,000 messages
//   (flag on, flag off in turn, each against the current HIGHESTMODSEQ, so
//   every message changes and every one gets its FETCH with MODSEQ);
// - SELECT (QRESYNC (uidvalidity m)) after 100 messages changed since m
//   (100 FETCH responses), and from modseq 1 (all 10,000).
// Each is timed from the command's write to its tagged OK, the median of
// BENCH_QRESYNC_ROUNDS runs after one warm-up; every response count is
// checked (a wrong count is an error, not a figure). The reference server
// is measured first, then Dovecot. BENCH_QRESYNC_MESSAGES changes the mailbox size.
// Standards: RFC 7162 §3.1.3 (STORE UNCHANGEDSINCE), §3.2.5 (SELECT QRESYNC), RFC 5161 (ENABLE), RFC 3502 (MULTIAPPEND), RFC 7888 (LITERAL+).

import { acquireLane } from "./lib/interop-lane.ts";
import { startReferenceChild } from "./lib/reference-child.ts";
import { markdownTable } from "./lib/table.ts";
import { ImapLineClient, type ImapCompletion } from "../runner/session/imap-line-client.ts";
import type { Target } from "../runner/model/target.ts";

const MESSAGES = Number(process.env.BENCH_QRESYNC_MESSAGES ?? 10_000);
const ROUNDS = Number(process.env.BENCH_QRESYNC_ROUNDS ?? 5);
const CHANGED = 100;
const MAILBOX = "mc-bench-qresync";
// Messages per MULTIAPPEND: under the reference server's 64 literals per command (reference-server/imap/limits.ts).
const APPEND_BATCH = 50;
const TIMEOUT_MS = 120_000;

export interface QresyncRow {
  operation: string;
  referenceMs: number;
  dovecotMs: number;
  referenceErrors: number;
  dovecotErrors: number;
}

interface Timings {
  store: number[];
  qresyncChanged: number[];
  qresyncAll: number[];
  errors: string[];
}

function message(n: number): string {
  return (
    `From: Sender ${n % 97} <sender${n % 97}@example.test>\r\nTo: bench@example.test\r\nSubject: qresync bench ${n}\r\n` +
    `Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <qr${n}@bench.example>\r\n\r\nmessage ${n} of the CONDSTORE/QRESYNC bench\r\n`
  );
}

async function connect(target: Target): Promise<ImapLineClient> {
  const user = target.users[0]!;
  const c = await ImapLineClient.connect({ port: target.endpoints.imap!.port, host: target.host }, { timeoutMs: TIMEOUT_MS, maxLineOctets: 1 << 24 });
  const quoted = (s: string) => `"${s.replace(/["\\]/g, "\\$&")}"`;
  await ok(c, `LOGIN ${quoted(user.login)} ${quoted(user.password)}`);
  return c;
}

async function ok(c: ImapLineClient, command: string): Promise<ImapCompletion> {
  const done = await c.run(command);
  if (done.status !== "OK") throw new Error(`${command.slice(0, 60)}: ${done.tagged}`);
  return done;
}

/**
 * A fresh MAILBOX of MESSAGES messages: MULTIAPPEND batches with
 * non-synchronizing literals, one command (and one commit) per batch, so the
 * fill is not bound by a per-message fsync on either server.
 */
async function fill(c: ImapLineClient): Promise<void> {
  await c.run(`DELETE ${MAILBOX}`);
  await ok(c, `CREATE ${MAILBOX}`);
  for (let first = 1; first <= MESSAGES; first += APPEND_BATCH) {
    const tag = c.nextTag();
    const parts: string[] = [`${tag} APPEND ${MAILBOX}`];
    for (let n = first; n < Math.min(first + APPEND_BATCH, MESSAGES + 1); n++) {
      const body = message(n);
      parts.push(` {${Buffer.byteLength(body)}+}\r\n${body}`);
    }
    void c.send(parts.join("") + "\r\n");
    const done = await c.until(tag, TIMEOUT_MS);
    if (!/^\S+ OK/i.test(done.tagged)) throw new Error(`APPEND: ${done.tagged}`);
  }
}

function highestModseq(done: ImapCompletion): string {
  const found = [done.tagged, ...done.untagged].map((r) => /HIGHESTMODSEQ (\d+)/i.exec(r)?.[1]).find((m) => m !== undefined);
  if (found === undefined) throw new Error("no HIGHESTMODSEQ");
  return found;
}

async function timed(c: ImapLineClient, command: string): Promise<{ ms: number; done: ImapCompletion }> {
  const t = performance.now();
  const done = await ok(c, command);
  return { ms: performance.now() - t, done };
}

const fetches = (done: ImapCompletion): number => done.untagged.filter((r) => /^\* \d+ FETCH /i.test(r)).length;

async function measure(target: Target, label: string): Promise<Timings> {
  const timings: Timings = { store: [], qresyncChanged: [], qresyncAll: [], errors: [] };
  const c = await connect(target);
  try {
    process.stderr.write(`  condstore-qresync: filling ${MESSAGES} messages on ${label} …\n`);
    await fill(c);
    await ok(c, "ENABLE QRESYNC");
    const selected = await ok(c, `SELECT ${MAILBOX} (CONDSTORE)`);
    const uidValidity = /UIDVALIDITY (\d+)/i.exec(selected.untagged.join("\n"))?.[1];
    let modseq = highestModseq(selected);
    for (let round = 0; round <= ROUNDS; round++) {
      const sign = round % 2 === 0 ? "+" : "-";
      const store = await timed(c, `STORE 1:* (UNCHANGEDSINCE ${modseq}) ${sign}FLAGS (\\Flagged)`);
      if (fetches(store.done) !== MESSAGES) timings.errors.push(`STORE: ${fetches(store.done)} FETCH responses, not ${MESSAGES}`);
      if (/\[MODIFIED/i.test(store.done.tagged)) timings.errors.push(`STORE: ${store.done.tagged}`);
      if (round > 0) timings.store.push(store.ms);
      // A fresh HIGHESTMODSEQ after the store (NOOP may not carry it; a STATUS of the selected mailbox is allowed to be stale, SELECT is not).
      const before = highestModseq(await ok(c, `SELECT ${MAILBOX} (CONDSTORE)`));
      await ok(c, `STORE 1:${CHANGED} ${round % 2 === 0 ? "+" : "-"}FLAGS (\\Seen)`);
      await ok(c, "UNSELECT");
      const changed = await timed(c, `SELECT ${MAILBOX} (QRESYNC (${uidValidity} ${before}))`);
      if (fetches(changed.done) !== CHANGED) timings.errors.push(`SELECT QRESYNC after ${CHANGED} changes: ${fetches(changed.done)} FETCH responses`);
      await ok(c, "UNSELECT");
      const all = await timed(c, `SELECT ${MAILBOX} (QRESYNC (${uidValidity} 1))`);
      if (fetches(all.done) !== MESSAGES) timings.errors.push(`SELECT QRESYNC from 1: ${fetches(all.done)} FETCH responses`);
      modseq = highestModseq(all.done);
      if (round > 0) {
        timings.qresyncChanged.push(changed.ms);
        timings.qresyncAll.push(all.ms);
      }
    }
    await ok(c, "UNSELECT");
    await c.run(`DELETE ${MAILBOX}`);
  } finally {
    c.close();
  }
  return timings;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export async function benchCondstoreQresync(): Promise<{ rows: QresyncRow[]; runs: string }> {
  const lane = await acquireLane();
  let runs = "";
  let reference: Timings;
  let dovecot: Timings;
  try {
    const runReference = async () => {
      // Compiled, as users run it.
      const ref = await startReferenceChild({ profileName: "condstore-qresync", compiled: true });
      runs = ref.runs;
      try {
        return await measure(ref.target, "the reference server");
      } finally {
        await ref.close();
      }
    };
    reference = await runReference();
    dovecot = await measure(lane.target, "Dovecot");
  } finally {
    await lane.release();
  }
  const row = (operation: string, pick: (t: Timings) => number[]): QresyncRow => ({
    operation,
    referenceMs: median(pick(reference)),
    dovecotMs: median(pick(dovecot)),
    referenceErrors: reference.errors.length,
    dovecotErrors: dovecot.errors.length,
  });
  for (const [who, t] of [["reference", reference], ["Dovecot", dovecot]] as const) for (const e of t.errors.slice(0, 5)) process.stderr.write(`  condstore-qresync ${who}: ${e}\n`);
  const rows = [
    row(`STORE 1:${MESSAGES} (UNCHANGEDSINCE m) ±FLAGS (\\Flagged)`, (t) => t.store),
    row(`SELECT (QRESYNC (v m)), ${CHANGED} changed since m`, (t) => t.qresyncChanged),
    row(`SELECT (QRESYNC (v 1)), all ${MESSAGES}`, (t) => t.qresyncAll),
  ];
  return { rows, runs };
}

export function formatCondstoreQresync({ rows, runs }: { rows: QresyncRow[]; runs: string }): string {
  const table = markdownTable(
    ["operation", "reference median ms", "Dovecot median ms", "errors (ref / Dovecot)", "speed ratio (Dovecot ms ÷ reference ms)"],
    rows.map((r) => [r.operation, r.referenceMs.toFixed(1), r.dovecotMs.toFixed(1), `${r.referenceErrors} / ${r.dovecotErrors}`, `${(r.dovecotMs / r.referenceMs).toFixed(2)}×`]),
  );
  return [
    `One mailbox of ${MESSAGES} small messages per server (MULTIAPPEND, LITERAL+), one IMAP connection, QRESYNC enabled;`,
    `median of ${ROUNDS} rounds after one warm-up, from the command's write to its tagged OK, every FETCH response counted.`,
    `Dovecot 2.3 as Debian ships it (bench interop lane); reference server in its own Node process (${runs}). A ratio above 1 means the reference server was faster.`,
    "",
    table,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatCondstoreQresync(await benchCondstoreQresync()));
}

// Benchmark 2: durable SMTP acceptance (the message fsynced before the 250),
// the reference server against Postfix, both driven by Postfix's own load
// generator smtp-source (one message per connection, as it does by default),
// with 1, 8 and 32 parallel sessions and 1 KiB and 100 KiB messages. Every
// message is verified present afterwards by counting Maildir files.
//
// The ratio compares ACCEPTANCE rates (messages acknowledged with 250 per
// second): that is where both servers promise durability — Postfix fsyncs its
// queue file before the 250, the reference server fsyncs the Maildir file.
// Postfix then delivers asynchronously (qmgr → virtual) into the Maildir; the
// time until every message is there is reported beside it, not in the ratio.
// Runs the reference server in its own process (bench/lib/reference-child.ts)
// and Postfix from the bench's own interop lane (bench/lib/interop-lane.ts).
// BENCH_SMTP_SCALE=0.2 makes a quick run.
// Standards: RFC 5321 §4.1.1.4, §6.1 (250 means the message is safe).

import { execFile } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { acquireLane, type Lane } from "./lib/interop-lane.ts";
import { startReferenceChild } from "./lib/reference-child.ts";
import { maildirCount, markdownTable, ratioCell } from "./lib/table.ts";

const run = promisify(execFile);
const SMTP_SOURCE = "/usr/sbin/smtp-source";
const SCALE = Number(process.env.BENCH_SMTP_SCALE ?? 1);
const DELIVERY_TIMEOUT_MS = 180_000;
// Issue 18: twice Postfix's acceptance rate for 1 KiB messages, 1.5 times for 100 KiB ones.
const goalFor = (octets: number) => (octets <= 1024 ? 2.0 : 1.5);
const FSYNC_PROBES = 200;
// Untimed messages first, to the second user: JIT warm-up for the reference server, warm caches for Postfix's pre-forked daemons.
const WARMUP_MESSAGES = 100;

const CASES: { sessions: number; octets: number; messages: number }[] = [
  { sessions: 1, octets: 1024, messages: 300 },
  { sessions: 8, octets: 1024, messages: 800 },
  { sessions: 32, octets: 1024, messages: 1280 },
  { sessions: 1, octets: 100 * 1024, messages: 150 },
  { sessions: 8, octets: 100 * 1024, messages: 400 },
  { sessions: 32, octets: 100 * 1024, messages: 640 },
];

/**
 * This machine's fsync latency, the floor of every durable 250: the median
 * of FSYNC_PROBES 1 KiB writes each followed by fsync(2), in a directory on
 * the file system the reference server's data directory uses (os.tmpdir()).
 */
export async function fsyncMedianMs(): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), "mc-bench-fsync-"));
  const data = Buffer.alloc(1024, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < FSYNC_PROBES; i++) {
      const started = performance.now();
      const file = await open(path.join(dir, String(i)), "wx");
      try {
        await file.write(data);
        await file.sync();
      } finally {
        await file.close();
      }
      times.push(performance.now() - started);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export interface SmtpDurableResult {
  rows: SmtpDurableRow[];
  fsyncMedianMs: number;
}

export interface SmtpDurableRow {
  sessions: number;
  octets: number;
  messages: number;
  referencePerSecond: number;
  postfixAcceptPerSecond: number;
  postfixDeliveredPerSecond: number;
  ratio: number;
}

/** smtp-source against host:port; resolves with the wall time in ms. A non-250 answer makes it exit non-zero. */
async function smtpSource(port: number, sessions: number, messages: number, octets: number, to: string, from: string): Promise<number> {
  const started = performance.now();
  await run(SMTP_SOURCE, ["-s", String(sessions), "-m", String(messages), "-l", String(octets), "-f", from, "-t", to, "-M", "bench.example", `127.0.0.1:${port}`], {
    timeout: 600_000,
  });
  return performance.now() - started;
}

async function waitForCount(dir: string, want: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const n = await maildirCount(dir);
    if (n >= want) return n;
    if (performance.now() > deadline) throw new Error(`${dir}: ${n} of ${want} messages after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function referenceCase(c: (typeof CASES)[number], messages: number): Promise<number> {
  const ref = await startReferenceChild({ profileName: `smtp-durable-${c.sessions}-${c.octets}` });
  try {
    const [from, to] = [ref.target.users[1]!.address, ref.target.users[0]!.address];
    await smtpSource(ref.ports.smtp, 4, WARMUP_MESSAGES, c.octets, from, from);
    const ms = await smtpSource(ref.ports.smtp, c.sessions, messages, c.octets, to, from);
    // The 250 promised the file is on disk: it must be there now, without waiting.
    const present = await maildirCount(`${ref.dataDir}/mail/${ref.target.users[0]!.login}/Maildir`);
    if (present !== messages) throw new Error(`reference server: ${present} of ${messages} accepted messages in the Maildir`);
    return (messages / ms) * 1000;
  } finally {
    await ref.close();
  }
}

async function postfixCase(lane: Lane, c: (typeof CASES)[number], messages: number): Promise<{ accept: number; delivered: number }> {
  await lane.resetMail();
  const [from, to] = [lane.target.users[1]!.address, lane.target.users[0]!.address];
  const dir = lane.maildir(lane.target.users[0]!.login);
  await smtpSource(lane.target.endpoints.smtp!.port, 4, WARMUP_MESSAGES, c.octets, from, from);
  const started = performance.now();
  const acceptMs = await smtpSource(lane.target.endpoints.smtp!.port, c.sessions, messages, c.octets, to, from);
  const present = await waitForCount(dir, messages, DELIVERY_TIMEOUT_MS);
  const deliveredMs = performance.now() - started;
  if (present !== messages) throw new Error(`Postfix: ${present} messages delivered, ${messages} sent`);
  return { accept: (messages / acceptMs) * 1000, delivered: (messages / deliveredMs) * 1000 };
}

export async function benchSmtpDurable(): Promise<SmtpDurableResult> {
  const fsyncMs = await fsyncMedianMs();
  const lane = await acquireLane();
  const rows: SmtpDurableRow[] = [];
  try {
    for (const [i, c] of CASES.entries()) {
      const messages = Math.max(c.sessions * 2, Math.round(c.messages * SCALE));
      // Alternate who goes first, so neither side always meets the other's leftover disk writeback.
      let reference: number;
      let postfix: { accept: number; delivered: number };
      if (i % 2 === 0) {
        reference = await referenceCase(c, messages);
        postfix = await postfixCase(lane, c, messages);
      } else {
        postfix = await postfixCase(lane, c, messages);
        reference = await referenceCase(c, messages);
      }
      const row = {
        sessions: c.sessions,
        octets: c.octets,
        messages,
        referencePerSecond: reference,
        postfixAcceptPerSecond: postfix.accept,
        postfixDeliveredPerSecond: postfix.delivered,
        ratio: reference / postfix.accept,
      };
      process.stderr.write(`  smtp-durable ${c.sessions} sessions × ${c.octets} B: reference ${reference.toFixed(0)}/s, Postfix ${postfix.accept.toFixed(0)}/s accepted → ${row.ratio.toFixed(2)}×\n`);
      rows.push(row);
    }
    await lane.resetMail();
  } finally {
    await lane.release();
  }
  return { rows, fsyncMedianMs: fsyncMs };
}

export function formatSmtpDurable({ rows, fsyncMedianMs: fsyncMs }: SmtpDurableResult): string {
  const size = (o: number) => (o >= 1024 ? `${o / 1024} KiB` : `${o} B`);
  const table = markdownTable(
    ["sessions", "message", "messages", "reference 250/s", "Postfix 250/s", "Postfix delivered/s", "ratio (reference ÷ Postfix 250/s)"],
    rows.map((r) => [
      String(r.sessions),
      size(r.octets),
      String(r.messages),
      r.referencePerSecond.toFixed(0),
      r.postfixAcceptPerSecond.toFixed(0),
      r.postfixDeliveredPerSecond.toFixed(0),
      ratioCell(r.ratio, r.ratio >= goalFor(r.octets)),
    ]),
  );
  return [
    `Goal ≥ 2.0× Postfix for 1 KiB messages, ≥ 1.5× for 100 KiB. fsync(2) of a 1 KiB file on this machine: median ${fsyncMs.toFixed(2)} ms (${FSYNC_PROBES} probes). Driver: Postfix's smtp-source (one message per connection), loopback; reference server in its own Node process,`,
    "Postfix 3.7 from Debian (bench interop lane). Every message counted in the Maildir afterwards (reference: at once, since its 250 follows the fsync).",
    "The ratio uses acceptance (250s per second): both fsync before the 250 (Postfix its queue file, the reference the Maildir file). Postfix's",
    "delivery into the Maildir is asynchronous; \"delivered/s\" is messages ÷ time until the last one was in the Maildir.",
    "",
    table,
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatSmtpDurable(await benchSmtpDurable()));
}

// `npm run soak` (not in CI): the long runs of issue 9 — a million fuzzed
// inputs per parser in-process plus generated sequences over the wire; SMTP
// deliveries with the server killed by SIGKILL at random moments; a thousand
// concurrent mixed-protocol sessions; and the memory per idle connection.
// Prints each figure and writes them to soak/RESULTS.md, keeping the
// sections written there by hand (soak/results-file.ts); exits 1 on any
// crash, hang, lost message or failed session.
// Standards: see the modules in this folder.

import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig } from "../reference-server/config/defaults.ts";
import { startServer } from "../reference-server/serve.ts";
import { killDuringDelivery, spawnServer } from "./durability/kill-during-delivery.ts";
import { fuzz } from "./fuzz/target.ts";
import { FUZZ_TARGETS } from "./fuzz/targets.ts";
import { wireFuzz } from "./fuzz/wire.ts";
import { idleRssPerConnection, mixedLoad } from "./load/mixed-sessions.ts";
import { withHandWritten } from "./results-file.ts";

const RESULTS = fileURLToPath(new URL("RESULTS.md", import.meta.url));
const INPUTS = Number(process.env.SOAK_INPUTS ?? 1_000_000);
const WIRE_SEQUENCES = Number(process.env.SOAK_WIRE_SEQUENCES ?? 3000);
const DELIVERIES = Number(process.env.SOAK_DELIVERIES ?? 1000);
const KILLS = Number(process.env.SOAK_KILLS ?? 10);
const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 1000);
const SEED = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);

const lines: string[] = [];
let failed = false;
const say = (line: string) => {
  console.log(line);
  lines.push(line);
};
const fail = (line: string) => {
  failed = true;
  say(`**FAIL** ${line}`);
};

say(`# Soak results (npm run soak)\n\nSeed ${SEED}, ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()} ${os.release()}.\n`);

say("## Fuzzing in-process (per parser)\n\n| target | inputs | inputs/s | slowest input (ms) | result |\n|---|---:|---:|---:|---|");
for (const target of FUZZ_TARGETS) {
  const r = fuzz(target, { inputs: INPUTS, seed: SEED, timeBoundMs: 1000 });
  say(`| ${r.target} | ${r.inputs.toLocaleString("en")} | ${Math.round(r.perSecond).toLocaleString("en")} | ${r.slowestMs.toFixed(1)} | ${r.failure ? "CRASH/HANG" : "0 crashes, 0 hangs"} |`);
  if (r.failure) fail(`${r.target}: ${r.failure}`);
}

say("\n## Fuzzing over the wire (reference server in-process, Maildir store)\n\n| protocol | sequences | commands | connections | commands/s | result |\n|---|---:|---:|---:|---:|---|");
{
  const config = defaultConfig();
  config.auth.failureDelayMs = 0;
  const server = await startServer({ config, portBase: "ephemeral" });
  try {
    for (const protocol of ["smtp", "pop3", "imap"] as const) {
      const r = await wireFuzz({ protocol, port: server.ports[protocol]!, sequences: WIRE_SEQUENCES, maxCommands: 30, seed: SEED, concurrency: 16, replyBoundMs: 5000 });
      say(`| ${protocol} | ${r.sequences} | ${r.commands.toLocaleString("en")} | ${r.connections} | ${Math.round(r.perSecond)} | ${r.failures.length === 0 ? "every command answered, still greeting" : `${r.failures.length} failures`} |`);
      for (const f of r.failures.slice(0, 5)) fail(f);
    }
  } finally {
    await server.close();
  }
}

say("\n## Durability: kill -9 during SMTP delivery\n");
{
  const dir = await mkdtemp(join(os.tmpdir(), "mailconform-soak-kill-"));
  try {
    const r = await killDuringDelivery({ dataDir: dir, deliveries: DELIVERIES, kills: KILLS, clients: 8, seed: SEED });
    say(`${r.deliveries} deliveries attempted by 8 clients, server killed ${r.kills} times; ${r.acknowledged} got 250, ${r.stored} stored; lost ${r.lost.length}, corrupt or half-written ${r.corrupt.length}, duplicate UIDs ${r.duplicateUids}, UIDs changed across restarts ${r.uidsChanged.length}, UIDVALIDITY changed ${r.uidValidityChanged.length} (${(r.ms / 1000).toFixed(1)} s).`);
    if (r.lost.length || r.corrupt.length || r.duplicateUids || r.uidsChanged.length || r.uidValidityChanged.length) {
      fail(JSON.stringify({ lost: r.lost.slice(0, 10), corrupt: r.corrupt.slice(0, 10), uidsChanged: r.uidsChanged.slice(0, 10), uidValidityChanged: r.uidValidityChanged }));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

say("\n## Load: concurrent mixed-protocol sessions, and memory per idle connection\n");
{
  const dir = await mkdtemp(join(os.tmpdir(), "mailconform-soak-load-"));
  const users = Math.ceil(SESSIONS / 3);
  const server = await spawnServer(dir, users);
  try {
    const r = await mixedLoad({ ports: server.ports, sessions: SESSIONS, users });
    say(`${r.sessions} sessions (SMTP transaction, POP3 login/STAT/QUIT, IMAP login/SELECT/FETCH/LOGOUT), ${r.heldAtOnce} held open at once, ${r.errors.length} errors (${(r.ms / 1000).toFixed(1)} s).`);
    for (const e of r.errors.slice(0, 10)) fail(e);
  } finally {
    server.child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
  say("\n| protocol | idle connections | RSS per connection (KiB) | JS heap + external per connection (KiB) |\n|---|---:|---:|---:|");
  for (const protocol of ["smtp", "pop3", "imap"] as const) {
    const fresh = await mkdtemp(join(os.tmpdir(), "mailconform-soak-rss-"));
    const s = await spawnServer(fresh, 0);
    try {
      const m = await idleRssPerConnection(s.child, s.ports[protocol], protocol, 2000);
      say(`| ${protocol} | ${m.connections} | ${m.rssKiB.toFixed(1)} | ${m.heapKiB.toFixed(1)} |`);
      if (m.rssKiB > 16) fail(`${protocol}: ${m.rssKiB.toFixed(1)} KiB RSS per idle connection exceeds the 16 KiB goal`);
    } finally {
      s.child.kill("SIGKILL");
      await rm(fresh, { recursive: true, force: true });
    }
  }
}

say(failed ? "\nResult: FAILED" : "\nResult: all soak checks passed");
// Read now, not at the start: a section recorded by hand while the campaign ran is kept too.
const previous = await readFile(RESULTS, "utf8").catch(() => "");
await writeFile(RESULTS, withHandWritten(lines.join("\n"), previous));
process.exit(failed ? 1 : 0);

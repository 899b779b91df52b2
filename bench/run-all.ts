// `npm run bench`: runs the benchmarks in this folder one after another and
// writes their tables, with the conditions of this run, to bench/RESULTS.md
// (never edited by hand). Each bench prints ratios against a peer measured
// in the same run; absolute figures vary between runs and machines.
// Standards: none (bench).

import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { benchFullRun, formatFullRun } from "./full-run.ts";
import { benchRunnerStep, formatRunnerStep } from "./runner-step.ts";
import { benchSmtpDurable, formatSmtpDurable } from "./smtp-durable.ts";
import { benchPop3ImapThroughput, formatPop3ImapThroughput } from "./pop3-imap-throughput.ts";
import { benchIdleMemory, formatIdleMemory } from "./idle-memory.ts";
import { benchStartup, formatStartup } from "./startup.ts";
import { benchCondstoreQresync, formatCondstoreQresync } from "./condstore-qresync.ts";
import { benchGradeClass, formatGradeClass } from "./grade-class.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RESULTS = fileURLToPath(new URL("RESULTS.md", import.meta.url));

/** One benchmark of issue 8: its title and a function that runs it and returns its markdown. */
interface Bench {
  title: string;
  run(): Promise<string>;
}

const BENCHES: Bench[] = [
  { title: "1. Runner cost per dialogue step (bench/runner-step.ts)", run: async () => formatRunnerStep(await benchRunnerStep(), true) },
  { title: "2. SMTP durable acceptance vs Postfix (bench/smtp-durable.ts)", run: async () => formatSmtpDurable(await benchSmtpDurable()) },
  { title: "3. POP3 and IMAP throughput vs Dovecot (bench/pop3-imap-throughput.ts)", run: async () => formatPop3ImapThroughput(await benchPop3ImapThroughput()) },
  { title: "4. Memory per idle connection, 10,000 IMAP sessions in IDLE (bench/idle-memory.ts)", run: async () => formatIdleMemory(await benchIdleMemory()) },
  { title: "5. Full conformance run against the reference server (bench/full-run.ts)", run: async () => formatFullRun(await benchFullRun()) },
  { title: "6. Start-up of the command, tsx against compiled dist/ (bench/startup.ts)", run: async () => formatStartup(await benchStartup()) },
  { title: "7. CONDSTORE STORE and QRESYNC SELECT on 10,000 messages vs Dovecot (bench/condstore-qresync.ts)", run: async () => formatCondstoreQresync(await benchCondstoreQresync()) },
  { title: "8. Grading a class of 100 reference servers, default profile (bench/grade-class.ts)", run: async () => formatGradeClass(await benchGradeClass()) },
];

/** The commit measured, and whether the tree had uncommitted changes (read-only git calls). */
function revision(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/** BENCH_SKIP=8 (or "2,8"): sections left out of this run, e.g. the class grading that takes up to 16 minutes; RESULTS.md says so. */
const SKIPPED = new Set((process.env.BENCH_SKIP ?? "").split(",").map((n) => n.trim()).filter((n) => n !== ""));

/**
 * BENCH_ONLY=2 (or "2,5"): only these sections run; the others are kept as the last RESULTS.md has them, each
 * with the run line it was measured in, so every section still says when, on what revision and at what load.
 */
const ONLY = new Set((process.env.BENCH_ONLY ?? "").split(",").map((n) => n.trim()).filter((n) => n !== ""));
const previous = ONLY.size > 0 ? await previousSections() : new Map<string, string>();

/** The sections of the RESULTS.md on disk by number, each ending with the line saying which run measured it. */
async function previousSections(): Promise<Map<string, string>> {
  const text = await readFile(RESULTS, "utf8");
  const run = /^- run: (.*)$/m.exec(text)?.[1] ?? "an earlier run";
  const found = new Map<string, string>();
  for (const part of text.split(/^(?=## \d+\. )/m).slice(1)) {
    const number = /^## (\d+)\./.exec(part)![1]!;
    const body = part.trimEnd();
    found.set(number, /\n\(kept from /.test(body) ? `${body}\n` : `${body}\n\n(kept from ${run}; BENCH_ONLY re-ran other sections)\n`);
  }
  return found;
}

const sections: string[] = [];
const started = new Date();
const loadBefore = os.loadavg();
for (const bench of BENCHES) {
  const number = bench.title.split(".", 1)[0]!;
  if (ONLY.size > 0 && !ONLY.has(number)) {
    sections.push(previous.get(number) ?? `## ${bench.title}\n\nNot in the previous RESULTS.md, and not run in this run (BENCH_ONLY=${process.env.BENCH_ONLY}).\n`);
    continue;
  }
  if (SKIPPED.has(number)) {
    sections.push(`## ${bench.title}\n\nNot run in this run (BENCH_SKIP=${process.env.BENCH_SKIP}); see the closing notes of the session for its last figures.\n`);
    continue;
  }
  process.stderr.write(`bench: ${bench.title} …\n`);
  const t = performance.now();
  const body = await bench.run();
  const seconds = ((performance.now() - t) / 1000).toFixed(1);
  console.log(`## ${bench.title}\n\n${body}\n`);
  sections.push(`## ${bench.title}\n\n${body}\n\n(bench took ${seconds} s)\n`);
}
const loadAfter = os.loadavg();

const header = [
  "# Benchmark results",
  "",
  "Written by `npm run bench` (bench/run-all.ts); do not edit by hand. Ratios compare against a peer measured in the same run;",
  "absolute times depend on the machine and on whatever else it was running.",
  "",
  `- run: ${started.toISOString()}, revision ${revision()}${ONLY.size > 0 ? `, sections ${[...ONLY].join(", ")} only (BENCH_ONLY; the others say which run they were kept from)` : ""}`,
  `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
  `- Node ${process.version}; load average (1/5/15 min) before ${loadBefore.map((l) => l.toFixed(2)).join(" / ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" / ")}`,
  "",
].join("\n");
await writeFile(RESULTS, `${header}\n${sections.join("\n")}`);
process.stderr.write(`bench: wrote ${RESULTS}\n`);

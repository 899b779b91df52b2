// `npm run mutants`: how many realistic bugs of the reference server the
// suites catch. Each mutant of mutants/<protocol>.yaml is written into a work
// copy of the sources, that protocol's suite runs there through the command
// line (--bail), and the mutant is killed when a test fails. The unmutated
// suite must pass in the copy first, or no score means anything.
// Usage and format: mutants/README.md. Standards: none (tooling).

import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PROTOCOLS, loadCorpus, type Mutant, type Protocol } from "./corpus.ts";
import { loadCheck, runSuite, stopAllRuns } from "./execute.ts";
import { classify, exitCode, resultLine, summaryLines, tally, type MutantResult } from "./score.ts";
import { defaultSeed, select } from "./select.ts";
import { applyMutant, makeWorkCopies, removeAllWorkCopies, removeWorkCopy, type WorkCopy } from "./workcopy.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const USAGE = `usage: npm run mutants -- [options]
  --protocol P     smtp, pop3 or imap (repeatable; default all three)
  --id REGEX       only mutants whose id matches
  --sample N       a deterministic sample of N mutants (never an equivalent one)
  --seed S         the sample's seed (default: the git HEAD commit)
  --jobs N         work copies running at once (default 1)
  --timeout S      wall-clock limit of one suite run, in seconds (default 240)
  --min-score PCT  exit 1 when the score is below this (default 95)
  --json FILE      write the results as JSON
  --corpus DIR     read DIR/<protocol>.yaml (default: mutants/)
  --check          only read and check the corpus: every mutant applies to the sources
  --list           print the selected mutant ids and exit
Exit: 0 score reached, 1 below --min-score or a broken mutant, 2 usage or corpus error,
3 the unmutated suite fails, 4 no mutant selected, 130/143 interrupted.`;

interface Options {
  protocols: Protocol[];
  id?: RegExp;
  sample?: number;
  seed: string;
  jobs: number;
  timeoutS: number;
  minScore: number;
  json?: string;
  corpus: string;
  check: boolean;
  list: boolean;
}

function usage(message: string): never {
  process.stderr.write(`mutants: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        protocol: { type: "string", multiple: true },
        id: { type: "string" },
        sample: { type: "string" },
        seed: { type: "string" },
        jobs: { type: "string" },
        timeout: { type: "string" },
        "min-score": { type: "string" },
        json: { type: "string" },
        corpus: { type: "string" },
        check: { type: "boolean" },
        list: { type: "boolean" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const count = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) usage(`--${name} wants a whole number from ${min}, not ${JSON.stringify(text)}`);
    return n;
  };
  const protocols = (values.protocol ?? [...PROTOCOLS]) as Protocol[];
  const unknown = protocols.find((p) => !PROTOCOLS.includes(p));
  if (unknown) usage(`unknown protocol ${JSON.stringify(unknown)} (smtp, pop3 or imap)`);
  let id: RegExp | undefined;
  try {
    id = values.id === undefined ? undefined : new RegExp(values.id);
  } catch (e) {
    usage(`--id: ${(e as Error).message}`);
  }
  const minScore = values["min-score"] === undefined ? 95 : Number(values["min-score"]);
  if (!(minScore >= 0 && minScore <= 100)) usage(`--min-score wants a percentage from 0 to 100, not ${JSON.stringify(values["min-score"])}`);
  return {
    protocols: PROTOCOLS.filter((p) => protocols.includes(p)),
    ...(id ? { id } : {}),
    ...(values.sample !== undefined ? { sample: count("sample", values.sample, 0, 1) } : {}),
    seed: values.seed ?? defaultSeed(ROOT),
    jobs: count("jobs", values.jobs, 1, 1),
    timeoutS: count("timeout", values.timeout, 240, 1),
    minScore,
    ...(values.json !== undefined ? { json: path.resolve(values.json) } : {}),
    corpus: path.resolve(values.corpus ?? path.join(ROOT, "mutants")),
    check: values.check ?? false,
    list: values.list ?? false,
  };
}

/** Messages name corpus files as the user would type them: relative to the current folder when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" || relative.startsWith("..") ? file : relative;
}

/**
 * Runs `tasks` on `jobs` work copies at once; each worker has its own copy.
 * Returns when every task is done.
 */
async function onCopies<T>(copies: readonly WorkCopy[], tasks: readonly T[], work: (copy: WorkCopy, task: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    copies.map(async (copy) => {
      while (next < tasks.length) await work(copy, tasks[next++]!);
    }),
  );
}

/** The unmutated suite of each protocol in the copies; the failures, if any, as lines to print. */
async function baseline(copies: readonly WorkCopy[], protocols: readonly Protocol[], o: Options): Promise<string[]> {
  const failures: string[] = [];
  await onCopies(copies, protocols, async (copy, protocol) => {
    const { verdict, durationMs } = await runSuite(copy, protocol, o.timeoutS * 1000);
    const took = `${(durationMs / 1000).toFixed(1)} s`;
    if (verdict.kind === "passed") console.log(`baseline ${protocol}: ${verdict.passed} passed in ${took}`);
    else if (verdict.kind === "failed") failures.push(`${protocol}: ${verdict.failing.join(", ")} failed without any mutant (${took})`);
    else if (verdict.kind === "timed-out") failures.push(`${protocol}: no verdict within ${o.timeoutS} s`);
    else failures.push(`${protocol}: ${verdict.detail}`);
  });
  return failures;
}

async function main(argv: string[]): Promise<number> {
  const o = parseOptions(argv);
  const corpus = loadCorpus(o.corpus, ROOT, shown, o.protocols);
  if (corpus.errors.length > 0) {
    for (const e of corpus.errors) process.stderr.write(`${e}\n`);
    process.stderr.write(`mutants: ${corpus.errors.length} error(s) in the corpus (${shown(o.corpus)})\n`);
    return 2;
  }
  if (o.check) {
    const per = o.protocols.map((p) => `${p} ${corpus.mutants.filter((m) => m.protocol === p).length}`).join(", ");
    console.log(`mutants: ${corpus.mutants.length} mutants (${per}) in ${shown(o.corpus)}, each applies cleanly to the sources`);
    return 0;
  }
  const chosen = select(corpus.mutants, { ...(o.id ? { id: o.id } : {}), ...(o.sample !== undefined ? { sample: o.sample } : {}), seed: o.seed });
  if (o.list) {
    for (const m of chosen) console.log(m.id);
    return chosen.length === 0 ? 4 : 0;
  }
  if (chosen.length === 0) {
    process.stderr.write(`mutants: no mutant selected (${corpus.mutants.length} in ${shown(o.corpus)})\n`);
    return 4;
  }

  const started = performance.now();
  const protocols = o.protocols.filter((p) => chosen.some((m) => m.protocol === p));
  const sampled = o.sample !== undefined ? `a sample (seed ${o.seed.slice(0, 12)}) ` : "";
  console.log(
    `mutants: ${chosen.length} of ${corpus.mutants.length}, ${sampled}in ${protocols.join(", ")}; ` +
      `${o.jobs} job(s), ${o.timeoutS} s per run; work copies in ${os.tmpdir()}`,
  );
  const copies = makeWorkCopies(ROOT, Math.min(o.jobs, Math.max(chosen.length, protocols.length)));
  try {
    const failures = await baseline(copies, protocols, o);
    if (failures.length > 0) {
      process.stderr.write(`mutants: the unmutated suite does not pass in the work copy, so no score would mean anything:\n`);
      for (const f of failures) process.stderr.write(`  ${f}\n`);
      return 3;
    }
    const results: MutantResult[] = [];
    await onCopies(copies, chosen, async (copy, mutant: Mutant) => {
      let result: MutantResult;
      let restore: (() => void) | undefined;
      try {
        restore = applyMutant(copy, mutant.edits);
        const broken = await loadCheck(copy, [...new Set(mutant.edits.map((e) => e.file))]);
        const { verdict, durationMs } = broken ? { verdict: broken, durationMs: 0 } : await runSuite(copy, mutant.protocol, o.timeoutS * 1000);
        result = classify(mutant, verdict, durationMs);
      } catch (e) {
        // Checked when the corpus was read, so only a file changed under us gets here.
        result = classify(mutant, { kind: "broken", detail: `could not apply: ${(e as Error).message}` }, 0);
      } finally {
        restore?.();
      }
      results.push(result);
      console.log(resultLine(result, o.timeoutS));
    });
    // Corpus order in the summary and the JSON, whatever order the jobs finished in.
    results.sort((a, b) => chosen.indexOf(a.mutant) - chosen.indexOf(b.mutant));
    const seconds = (performance.now() - started) / 1000;
    console.log("");
    for (const line of summaryLines(results, protocols, o.minScore)) console.log(line);
    console.log(`(${protocols.length} baseline and ${results.length} mutant runs in ${seconds.toFixed(0)} s with ${copies.length} job(s))`);
    if (o.json) writeJson(o, results, protocols, seconds);
    return exitCode(results, o.minScore);
  } finally {
    for (const copy of copies) removeWorkCopy(copy);
  }
}

function writeJson(o: Options, results: readonly MutantResult[], protocols: readonly Protocol[], seconds: number): void {
  const report = {
    seed: o.seed,
    ...(o.sample !== undefined ? { sample: o.sample } : {}),
    minScore: o.minScore,
    durationS: Math.round(seconds),
    protocols: Object.fromEntries(protocols.map((p) => [p, tally(results.filter((r) => r.mutant.protocol === p))])),
    total: tally(results),
    mutants: results.map((r) => ({
      id: r.mutant.id,
      protocol: r.mutant.protocol,
      status: r.status,
      killedBy: r.killedBy,
      durationMs: Math.round(r.durationMs),
      description: r.mutant.description,
      rfc: r.mutant.rfc,
      where: r.mutant.where,
      ...(r.mutant.equivalent !== undefined ? { equivalent: r.mutant.equivalent } : {}),
      ...(r.detail !== undefined ? { detail: r.detail } : {}),
    })),
  };
  writeFileSync(o.json!, `${JSON.stringify(report, null, 2)}\n`);
}

// Ctrl-C or a kill: stop the suite runs (each its own process group, so the
// terminal's Ctrl-C does not reach them), then remove the copies. A second one does not wait.
let interrupted = false;
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  process.on(signal, () => {
    if (interrupted) {
      removeAllWorkCopies();
      process.exit(code);
    }
    interrupted = true;
    process.stderr.write(`\nmutants: interrupted; stopping the runs and removing the work copies\n`);
    void stopAllRuns().finally(() => {
      removeAllWorkCopies();
      process.exit(code);
    });
  });
}
process.on("exit", () => removeAllWorkCopies());

process.exitCode = await main(process.argv.slice(2));

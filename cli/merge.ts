// `mailconform merge REPORT…`: shard JSON reports → one JSON report, JUnit XML
// and Allure results (and CTRF on request), by replaying the merged events
// into the same reporters a run uses. Exit code: the merged run's (0, 1, 3, 4);
// 5 when shards are missing or were interrupted (the reports say
// "incomplete"), unless --allow-missing; 2 when a report cannot be read or the
// shards do not fit together.

import { readFile } from "node:fs/promises";
import type { ExitCode } from "../runner/model/result.ts";
import { ReporterBus } from "../runner/report/bus.ts";
import { EXIT_INCOMPLETE, mergeEvents, MergeError, checkShards, type ShardReport } from "../runner/report/merge.ts";
import { createReporters, type ReportRequest } from "../runner/report/registry.ts";
import { computeStats } from "../runner/stats/compute.ts";

export interface MergeFlags {
  reportJson: string;
  reportJunit: string;
  reportAllure: string;
  reportCtrf?: string;
  /** Merge a partial shard set and exit by its results; the reports still say which shards are missing. */
  allowMissing?: boolean;
}

export async function mergeCommand(files: string[], flags: MergeFlags): Promise<ExitCode> {
  const reports: { file: string; report: ShardReport }[] = [];
  for (const file of files) {
    try {
      reports.push({ file, report: JSON.parse(await readFile(file, "utf8")) as ShardReport });
    } catch (e) {
      process.stderr.write(`mailconform merge: ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`);
      return 2;
    }
  }
  let events;
  try {
    for (const w of checkShards(reports)) process.stderr.write(`mailconform merge: warning: ${w}\n`);
    events = mergeEvents(reports.map((r) => r.report), process.cwd(), computeStats, { allowMissing: flags.allowMissing ?? false });
  } catch (e) {
    if (e instanceof MergeError) {
      process.stderr.write(`mailconform merge: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const requests: ReportRequest[] = [
    { name: "json", destination: flags.reportJson },
    { name: "junit", destination: flags.reportJunit },
    { name: "allure", destination: flags.reportAllure },
    ...(flags.reportCtrf ? [{ name: "ctrf" as const, destination: flags.reportCtrf }] : []),
  ];
  const bus = new ReporterBus(await createReporters(requests, { cwd: process.cwd(), out: process.stdout }));
  for (const e of events) bus.emit(e);
  const failures = await bus.close();
  for (const f of failures) process.stderr.write(`mailconform merge: reporter "${f.reporter}" failed: ${(f.error as Error)?.message ?? String(f.error)}\n`);
  const end = events.at(-1)!;
  process.stdout.write(`Merged ${reports.length} report${reports.length === 1 ? "" : "s"} into ${flags.reportJson}, ${flags.reportJunit}, ${flags.reportAllure}${flags.reportCtrf ? `, ${flags.reportCtrf}` : ""}\n`);
  if (end.type === "run-end" && end.incomplete) {
    const consequence = flags.allowMissing ? "allowed by --allow-missing" : `exit ${EXIT_INCOMPLETE}; --allow-missing merges a partial set`;
    process.stderr.write(`mailconform merge: ${flags.allowMissing ? "warning: " : ""}the merged report is ${end.incomplete.message} (${consequence})\n`);
  }
  const code = end.type === "run-end" ? end.exitCode : 1;
  return bus.failed && code === 0 ? 1 : code;
}

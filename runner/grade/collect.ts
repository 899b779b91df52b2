// A run's JSON report kept in memory: the file reporters' collection of the
// event stream (report/file-reporter.ts), whose "write" keeps the document
// the JSON reporter would have written (report/json.ts buildJsonReport), so
// grade passes each protocol's part and the merged report on without writing
// and re-reading them (a full profile's report is some 20 MB of JSON).
// Standards: none (report format).

import type { CollectedRun } from "../report/file-reporter.ts";
import { FileReporter } from "../report/file-reporter.ts";
import { buildJsonReport } from "../report/json.ts";
import type { ShardReport } from "../report/merge.ts";

export class ReportCollector extends FileReporter {
  readonly name = "grade";
  protected readonly kind = "in-memory JSON";
  private collected?: ShardReport;

  /** Paths in the report are relative to `cwd`, as in the JSON file. */
  constructor(cwd: string) {
    // No file is written: `file` only decides the folder close() makes sure of, and cwd's parent exists.
    super({ file: cwd, cwd });
  }

  protected write({ begin, end, results, runErrors }: CollectedRun): void {
    this.collected = buildJsonReport(begin, end, results, runErrors, this.options.cwd) as ShardReport;
  }

  /** The report, once the bus has closed its reporters; undefined when the run ended before it had one. */
  report(): ShardReport | undefined {
    return this.collected;
  }
}

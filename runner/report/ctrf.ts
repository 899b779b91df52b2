// CTRF (Common Test Report Format, spec 1.0.0) JSON: one test per result with
// its status, duration, failure message and trace, file and line, and the
// level and tags as tags. CTRF knows no "error" status: infrastructure errors
// are written as failed with rawStatus "error", so a CTRF consumer gating on
// failures does not pass a run whose server was down. A test the run never
// ran (interrupt, --bail) is "other" with rawStatus "not-run", and a stopped
// or incomplete run says so in results.extra.
// Standards: CTRF 1.0.0 (ctrf.io).

import { writeFileSync } from "node:fs";
import type { TestStatus } from "../model/failure.ts";
import { isNotRun, type TestResult } from "../model/result.ts";
import { failureText } from "./format/failure-text.ts";
import { byId } from "./format/order.ts";
import { displayPath } from "./format/paths.ts";
import { FileReporter, type CollectedRun, type RunBegin, type RunEnd } from "./file-reporter.ts";

export const CTRF_SPEC_VERSION = "1.0.0";

const STATUS: Record<TestStatus, "passed" | "failed" | "skipped"> = { passed: "passed", failed: "failed", error: "failed", skipped: "skipped" };
type CtrfStatus = (typeof STATUS)[TestStatus] | "other";

function ctrfStatus(r: TestResult): CtrfStatus {
  return isNotRun(r) ? "other" : STATUS[r.status];
}


export class CtrfReporter extends FileReporter {
  readonly name = "ctrf";
  protected readonly kind = "CTRF";

  protected write({ begin, end, results }: CollectedRun): void {
    writeFileSync(this.options.file, JSON.stringify(buildCtrf(begin, end, results, this.options.cwd), null, 2) + "\n");
  }
}

export function buildCtrf(begin: RunBegin, end: RunEnd, results: readonly TestResult[], cwd: string) {
  const start = Date.parse(begin.startedAt);
  const stop = Date.parse(end.finishedAt);
  const count = (s: CtrfStatus) => results.filter((r) => ctrfStatus(r) === s).length;
  return {
    reportFormat: "CTRF",
    specVersion: CTRF_SPEC_VERSION,
    timestamp: end.finishedAt,
    generatedBy: "mailconform",
    results: {
      tool: { name: "mailconform" },
      summary: { tests: results.length, passed: count("passed"), failed: count("failed"), pending: 0, skipped: count("skipped"), other: count("other"), start, stop },
      tests: [...results].sort(byId).map((r) => ({
        name: r.id,
        status: ctrfStatus(r),
        duration: r.durationMs,
        ...(isNotRun(r) ? { rawStatus: "not-run" } : r.status !== STATUS[r.status] ? { rawStatus: r.status } : {}),
        ...(r.status === "skipped" && r.skipReason ? { message: r.skipReason } : {}),
        ...(r.status === "failed" || r.status === "error"
          ? { message: r.failure?.message ?? "the runner could not finish this test", trace: failureText(r, { cwd, transcriptLines: 40 }).join("\n") }
          : {}),
        suite: [r.protocol, displayPath(r.file, cwd)],
        filePath: displayPath(r.failure?.position.file ?? r.file, cwd),
        line: r.failure?.position.line ?? r.line,
        tags: [r.level, ...r.tags],
        type: "conformance",
        extra: { title: r.title, refs: r.refs, level: r.level, ...(r.quote !== undefined ? { quote: r.quote } : {}), ...(r.failure ? { failureClass: r.failure.class } : {}) },
      })),
      environment: { appName: begin.target.name, extra: { host: begin.target.host, domain: begin.target.domain, ...(begin.shard ? { shard: `${begin.shard.index}/${begin.shard.total}` } : {}) } },
      extra: {
        exitCode: end.exitCode,
        ...(end.interrupted ? { interrupted: end.interrupted } : {}),
        ...(end.incomplete ? { incomplete: end.incomplete } : {}),
        ...(end.gate ? { gate: end.gate } : {}),
      },
    },
  };
}

// The JSON report (runner/schema/report.schema.json): the whole run as one
// document, tests ordered by id whatever order they finished in, an
// interrupted or incomplete run marked at the top. Written on close, after
// run-end; paths are relative to the working directory.

import { closeSync, openSync, writeSync } from "node:fs";
import type { TestResult } from "../model/result.ts";
import { byId } from "./format/order.ts";
import { displayPath } from "./format/paths.ts";
import { FileReporter, type CollectedRun, type RunBegin, type RunEnd } from "./file-reporter.ts";

export const JSON_REPORT_VERSION = 1;


export class JsonReporter extends FileReporter {
  readonly name = "json";
  protected readonly kind = "JSON";

  protected write({ begin, end, results, runErrors }: CollectedRun): void {
    writeJsonReport(this.options.file, buildJsonReport(begin, end, results, runErrors, this.options.cwd));
  }
}

/** Tests serialised by one stringify call: one call per test cost 4× more (a regex re-indent each); a batch stays a few MB. */
const TESTS_PER_WRITE = 64;

/** Stands for the tests array while the rest of the document is serialised; no report text can contain a NUL. */
const TESTS_SLOT = "\u0000tests\u0000";

/**
 * The document as JSON.stringify(doc, null, 2) writes it, a batch of tests
 * at a time: the report is never one string (a 20 MB report with one "…" in
 * it is a 40 MB two-byte string, and stringify's builder doubles that).
 */
function writeJsonReport(file: string, doc: ReturnType<typeof buildJsonReport>): void {
  const frame = JSON.stringify({ ...doc, tests: TESTS_SLOT }, null, 2);
  const slot = JSON.stringify(TESTS_SLOT);
  const at = frame.indexOf(slot);
  const fd = openSync(file, "w");
  try {
    writeSync(fd, frame.slice(0, at));
    if (doc.tests.length === 0) writeSync(fd, "[]");
    else {
      writeSync(fd, "[\n");
      for (let first = 0; first < doc.tests.length; first += TESTS_PER_WRITE) {
        // In {"t": [...]} the items sit two levels deep, as in the report: the text between "[\n" and "\n  ]" is them, indented.
        const batch = JSON.stringify({ t: doc.tests.slice(first, first + TESTS_PER_WRITE) }, null, 2);
        const items = batch.slice(batch.indexOf("[\n") + 2, batch.lastIndexOf("\n  ]"));
        writeSync(fd, first + TESTS_PER_WRITE < doc.tests.length ? `${items},\n` : `${items}\n`);
      }
      writeSync(fd, "  ]");
    }
    writeSync(fd, frame.slice(at + slot.length) + "\n");
  } finally {
    closeSync(fd);
  }
}

export function buildJsonReport(
  begin: RunBegin,
  end: RunEnd,
  results: readonly TestResult[],
  runErrors: readonly { message: string; stack?: string }[],
  cwd: string,
) {
  const rel = (f: string) => displayPath(f, cwd);
  return {
    version: JSON_REPORT_VERSION,
    startedAt: begin.startedAt,
    finishedAt: end.finishedAt,
    durationMs: end.durationMs,
    exitCode: end.exitCode,
    // A partial run says so before anything else is read: its results are not the whole selection.
    ...(end.interrupted ? { interrupted: end.interrupted } : {}),
    ...(end.incomplete ? { incomplete: end.incomplete } : {}),
    ...(begin.shard ? { shard: begin.shard } : {}),
    summary: end.summary,
    target: begin.target,
    tests: [...results]
      .sort(byId)
      .map((r) => ({
        id: r.id,
        title: r.title,
        protocol: r.protocol,
        file: rel(r.file),
        line: r.line,
        refs: r.refs,
        level: r.level,
        ...(r.quote !== undefined ? { quote: r.quote } : {}),
        tags: r.tags,
        status: r.status,
        durationMs: r.durationMs,
        ...(r.skipReason !== undefined ? { skipReason: r.skipReason } : {}),
        ...(r.skipKind !== undefined ? { skipKind: r.skipKind } : {}),
        ...(r.failure ? { failure: { ...r.failure, position: { ...r.failure.position, file: rel(r.failure.position.file) } } } : {}),
        ...(r.deviation ? { deviation: r.deviation } : {}),
        warnings: r.warnings,
        steps: r.steps,
        transcript: r.transcript,
      })),
    runErrors,
    // What the orchestrator computed at run-end: protocol statistics (--stats) and the CI gate's verdict.
    ...(end.stats ? { stats: end.stats } : {}),
    ...(end.gate ? { gate: end.gate } : {}),
  };
}

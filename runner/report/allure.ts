// Allure results through allure-js-commons' ReporterRuntime and
// FileSystemWriter: one result file per test, written as the test ends (so a
// run that dies midway keeps what it had), with its steps, labels, RFC links
// and the transcript as a text attachment. `mailconform report html` turns
// the directory into HTML. Errors (connection, TLS) are Allure's "broken";
// tests the run never ran are skipped with the tag "not-run", and an
// interrupted or incomplete run adds a broken result saying so (and a line
// in the environment), so the report is never read as green.

import { LabelName, LinkType, Severity, Stage, Status, type Label, type Link } from "allure-js-commons";
import { FileSystemWriter, ReporterRuntime } from "allure-js-commons/sdk/reporter";
import type { Level } from "../model/ast.ts";
import { NO_LIVE_EVENTS, type RunEvent } from "../model/events.ts";
import type { TestStatus } from "../model/failure.ts";
import { isExpectedDeviation, isNotRun, type TestResult } from "../model/result.ts";
import { failureText } from "./format/failure-text.ts";
import { displayPath } from "./format/paths.ts";
import { formatTranscript } from "./format/transcript.ts";
import { runMarks } from "./format/run-sections.ts";
import type { Reporter } from "./reporter.ts";

export interface AllureOptions {
  dir: string;
  cwd: string;
}

const SEVERITY: Record<Level, Severity> = { MUST: Severity.CRITICAL, SHOULD: Severity.NORMAL, MAY: Severity.MINOR };

const STATUS: Record<TestStatus, Status> = {
  passed: Status.PASSED,
  failed: Status.FAILED,
  error: Status.BROKEN,
  skipped: Status.SKIPPED,
};

/** "RFC 5321 §4.1.1.2" → the rfc-editor page, anchored at the section when one is given. */
export function rfcLink(ref: string): Link | undefined {
  const m = /RFC\s*(\d+)(?:\s*§\s*([\dA-Za-z.]*[\dA-Za-z]))?/i.exec(ref);
  if (!m) return undefined;
  const section = m[2] ? `#${/^[A-Za-z]/.test(m[2]) ? "appendix" : "section"}-${m[2]}` : "";
  return { name: ref, url: `https://www.rfc-editor.org/rfc/rfc${m[1]}${section}`, type: LinkType.DEFAULT };
}

export class AllureReporter implements Reporter {
  readonly name = "allure";
  readonly printsToConsole = false;
  /** Nothing read live: each result is written from test-end. */
  readonly liveEvents = NO_LIVE_EVENTS;
  private readonly runtime: ReporterRuntime;
  private readonly began = new Map<string, number>();
  private environment: Record<string, string> = {};

  constructor(private readonly options: AllureOptions) {
    this.runtime = new ReporterRuntime({
      writer: new FileSystemWriter({ resultsDir: options.dir }),
      categories: [
        { name: "Conformance failures", matchedStatuses: [Status.FAILED] },
        { name: "Infrastructure (connection, TLS)", matchedStatuses: [Status.BROKEN] },
      ],
    });
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case "run-begin": {
        const env: Record<string, string> = { target: e.target.name, host: e.target.host, domain: e.target.domain };
        for (const [p, ep] of Object.entries(e.target.endpoints)) env[p] = `${ep.port} (${ep.tls})`;
        this.environment = env;
        this.runtime.environmentInfo = env;
        this.runtime.writeEnvironmentInfo();
        this.runtime.writeCategoriesDefinitions();
        break;
      }
      case "test-begin":
        this.began.set(e.id, Date.now());
        break;
      case "test-end":
        this.write(e.result);
        break;
      case "run-end":
        this.markPartialRun(e);
        break;
      default:
        break;
    }
  }

  private write(r: TestResult): void {
    const stop = Date.now();
    const start = this.began.get(r.id) ?? stop - r.durationMs;
    this.began.delete(r.id);
    const file = displayPath(r.file, this.options.cwd);
    const labels: Label[] = [
      { name: LabelName.SUITE, value: r.protocol },
      { name: LabelName.FEATURE, value: file },
      { name: LabelName.SEVERITY, value: SEVERITY[r.level] },
      { name: LabelName.FRAMEWORK, value: "mailconform" },
      ...r.tags.map((t) => ({ name: LabelName.TAG, value: t })),
      ...(r.deviation ? [{ name: LabelName.TAG, value: r.deviation.fixed ? "deviation-fixed" : "expected-deviation" }] : []),
      // allure-js knows no "unknown" status: a test the run never ran is skipped, tagged so a filter tells it from a real skip.
      ...(isNotRun(r) ? [{ name: LabelName.TAG, value: "not-run" }] : []),
      { name: LabelName.TAG, value: r.level },
    ];
    const links = r.refs.map(rfcLink).filter((l): l is Link => l !== undefined);
    const uuid = this.runtime.startTest({
      name: r.title,
      fullName: r.id,
      historyId: r.id,
      testCaseId: r.id,
      titlePath: [r.protocol, file],
      description: [r.refs.length > 0 ? `${r.level}: ${r.refs.join(", ")}` : r.level, ...(r.quote ?? []).map((q) => `"${q}"`)].join("\n\n"),
      labels,
      links,
      start,
    });
    let at = start;
    for (const step of r.steps) {
      const stepUuid = this.runtime.startStep(uuid, null, {
        name: `${step.phase} ${step.index}: ${step.title}`,
        status: step.status === "failed" ? STATUS[r.status] : STATUS[step.status],
        stage: Stage.FINISHED,
        start: at,
      });
      at += step.durationMs;
      if (stepUuid) this.runtime.stopStep(stepUuid, { stop: at });
    }
    if (r.transcript.length > 0) {
      this.runtime.writeAttachment(uuid, null, "transcript", Buffer.from(formatTranscript(r.transcript).join("\n") + "\n"), {
        contentType: "text/plain",
        fileExtension: ".txt",
      });
    }
    this.runtime.updateTest(uuid, (t) => {
      t.status = STATUS[r.status];
      t.stage = Stage.FINISHED;
      if (isExpectedDeviation(r)) {
        // Allure has no "expected failure": skipped keeps it out of the failed and broken counts, the trace keeps what happened.
        t.status = Status.SKIPPED;
        t.statusDetails = {
          message: `expected deviation: ${r.deviation!.ref}: ${r.deviation!.reason}`,
          trace: failureText(r, { cwd: this.options.cwd, transcriptLines: 0 }).join("\n"),
        };
      } else if (r.deviation?.fixed) t.statusDetails = { message: `deviation fixed: listed in ${r.deviation.source} but passed; remove the entry` };
      else if (r.status === "skipped") t.statusDetails = { message: r.skipReason ?? "skipped" };
      else if (r.status === "failed" || r.status === "error") {
        t.statusDetails = {
          message: r.failure?.message ?? "the runner could not finish this test",
          trace: failureText(r, { cwd: this.options.cwd, transcriptLines: 0 }).join("\n"),
          ...(r.failure ? { expected: r.failure.expected, actual: r.failure.actual } : {}),
        };
      }
    });
    this.runtime.stopTest(uuid, { stop });
    this.runtime.writeTest(uuid);
  }

  /** An interrupted or incomplete run: a broken result per mark, so the report is not read as green, and the mark in the environment. */
  private markPartialRun(end: Extract<RunEvent, { type: "run-end" }>): void {
    const marks = runMarks(end);
    if (marks.length === 0) return;
    this.runtime.environmentInfo = { ...this.environment, run: `${marks.join("; ")}; exit code ${end.exitCode}` };
    this.runtime.writeEnvironmentInfo();
    const now = Date.now();
    for (const mark of marks) {
      const name = `mailconform: ${mark.split(":")[0]}`;
      const uuid = this.runtime.startTest({ name, fullName: name, historyId: name, testCaseId: name, labels: [{ name: LabelName.SUITE, value: "mailconform" }, { name: LabelName.FRAMEWORK, value: "mailconform" }], start: now });
      this.runtime.updateTest(uuid, (t) => {
        t.status = Status.BROKEN;
        t.stage = Stage.FINISHED;
        t.statusDetails = { message: `${mark}; exit code ${end.exitCode}` };
      });
      this.runtime.stopTest(uuid, { stop: now });
      this.runtime.writeTest(uuid);
    }
  }
}

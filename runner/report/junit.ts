// JUnit XML for CI: a testsuite per suite file, one testcase per test named by
// its unique id. The failure class decides the element through the one table
// in model/failure.ts: `failure` for conformance, `error` for infrastructure.
// The body holds the same text the console prints, plus the transcript, since
// GitLab and Jenkins show the body, not the message attribute. An expected
// deviation (--expect-deviations) is a skipped testcase with its reason. An
// interrupted or incomplete run gets an erroring testcase in a first suite,
// so CI shows it red and on top; tests not run are skipped with "not run: …".

import { writeFileSync } from "node:fs";
import path from "node:path";
import { FAILURE_CLASSES } from "../model/failure.ts";
import { isExpectedDeviation, type TestResult } from "../model/result.ts";
import { byId, compareText } from "./format/order.ts";
import { runMarks } from "./format/run-sections.ts";
import { failureText } from "./format/failure-text.ts";
import { displayPath } from "./format/paths.ts";
import { escapeXmlAttr as attr, escapeXmlText as text } from "./format/xml.ts";
import { FileReporter, type CollectedRun, type RunBegin, type RunEnd } from "./file-reporter.ts";

/** Whole transcripts can be long (a 100-RCPT test); CI viewers choke on megabyte bodies. */
const MAX_TRANSCRIPT_LINES = 400;


export class JunitReporter extends FileReporter {
  readonly name = "junit";
  protected readonly kind = "JUnit";

  protected write({ begin, end, results, runErrors }: CollectedRun): void {
    writeFileSync(this.options.file, buildJunit(begin, end, results, runErrors, this.options.cwd));
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function counts(results: readonly TestResult[]) {
  return {
    tests: results.length,
    failures: results.filter((r) => r.status === "failed" && !isExpectedDeviation(r)).length,
    errors: results.filter((r) => r.status === "error" && !isExpectedDeviation(r)).length,
    skipped: results.filter((r) => r.status === "skipped" || isExpectedDeviation(r)).length,
    time: results.reduce((sum, r) => sum + r.durationMs, 0),
  };
}

export function buildJunit(
  begin: RunBegin,
  end: RunEnd,
  results: readonly TestResult[],
  runErrors: readonly { message: string; stack?: string }[],
  cwd: string,
): string {
  const byFile = new Map<string, TestResult[]>();
  for (const r of results) {
    const file = displayPath(r.file, cwd);
    byFile.set(file, [...(byFile.get(file) ?? []), r]);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = counts(results);
  const marks = runMarks(end);
  out.push(
    `<testsuites name="mailconform" tests="${all.tests + runErrors.length + marks.length}" failures="${all.failures}" errors="${all.errors + runErrors.length + marks.length}" skipped="${all.skipped}" time="${seconds(end.durationMs)}" timestamp="${attr(begin.startedAt)}">`,
  );
  if (marks.length > 0) {
    // JUnit has no "not run": without an error here a cancelled job's report would read as green with skips.
    out.push(`  <testsuite name="mailconform: run" tests="${marks.length}" failures="0" errors="${marks.length}" skipped="0" time="0.000">`);
    const kinds = [...(end.interrupted ? ["interrupted"] : []), ...(end.incomplete ? ["incomplete"] : [])];
    marks.forEach((m, i) => {
      out.push(`    <testcase name="run-${kinds[i]}" classname="mailconform" time="0.000">`);
      out.push(`      <error message="${attr(m)}" type="${kinds[i]}">${text(`${m}; exit code ${end.exitCode}`)}</error>`);
      out.push("    </testcase>");
    });
    out.push("  </testsuite>");
  }
  for (const file of [...byFile.keys()].sort(compareText)) {
    const rs = byFile.get(file)!.sort(byId);
    const n = counts(rs);
    out.push(
      `  <testsuite name="${attr(file)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${seconds(n.time)}" timestamp="${attr(begin.startedAt)}">`,
    );
    for (const r of rs) out.push(...testcase(r, file, cwd));
    out.push("  </testsuite>");
  }
  if (runErrors.length > 0) {
    // A runner or reporter bug must be visible where CI looks, not only on stderr.
    out.push(`  <testsuite name="mailconform" tests="${runErrors.length}" failures="0" errors="${runErrors.length}" skipped="0" time="0.000">`);
    runErrors.forEach((e, i) => {
      out.push(`    <testcase name="run-error-${i + 1}" classname="mailconform" time="0.000">`);
      out.push(`      <error message="${attr(e.message)}" type="run-error">${text([e.message, e.stack ?? ""].join("\n").trimEnd())}</error>`);
      out.push("    </testcase>");
    });
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

/**
 * `protocol.suite-file-stem` (`smtp.transaction`): CI viewers split classname
 * at dots into package and class, so a path (slashes, an absolute /tmp/…)
 * makes an unreadable tree; the file itself is in the `file` attribute.
 */
export function classname(r: Pick<TestResult, "protocol" | "file">): string {
  return `${r.protocol}.${path.basename(r.file).replace(/\.ya?ml$/i, "")}`;
}

function testcase(r: TestResult, file: string, cwd: string): string[] {
  const out: string[] = [];
  out.push(
    `    <testcase name="${attr(r.id)}" classname="${attr(classname(r))}" file="${attr(file)}" line="${r.line}" time="${seconds(r.durationMs)}">`,
  );
  out.push("      <properties>");
  out.push(`        <property name="title" value="${attr(r.title)}"/>`);
  out.push(`        <property name="level" value="${r.level}"/>`);
  for (const ref of r.refs) out.push(`        <property name="ref" value="${attr(ref)}"/>`);
  for (const q of r.quote ?? []) out.push(`        <property name="quote" value="${attr(q)}"/>`);
  for (const tag of r.tags) out.push(`        <property name="tag" value="${attr(tag)}"/>`);
  if (r.deviation) {
    out.push(`        <property name="deviation-ref" value="${attr(r.deviation.ref)}"/>`);
    out.push(`        <property name="deviation-source" value="${attr(r.deviation.source)}"/>`);
  }
  out.push("      </properties>");
  if (isExpectedDeviation(r)) {
    // JUnit has no "expected failure": <failure> would fail every CI build on a
    // server's known, documented deviation, and <passed> would be a lie. A
    // skipped testcase is neither, CI viewers show its message, and the
    // failure text with the transcript stays in system-out for whoever looks.
    const body = failureText(r, { cwd, transcriptLines: MAX_TRANSCRIPT_LINES }).join("\n");
    out.push(`      <skipped message="${attr(`expected deviation: ${r.deviation!.ref}: ${r.deviation!.reason}`)}"/>`);
    out.push(`      <system-out>${text(body)}</system-out>`);
  } else if (r.status === "skipped") {
    out.push(`      <skipped message="${attr(r.skipReason ?? "")}"/>`);
  } else if (r.status === "failed" || r.status === "error") {
    const body = failureText(r, { cwd, transcriptLines: MAX_TRANSCRIPT_LINES }).join("\n");
    if (r.failure) {
      const element = FAILURE_CLASSES[r.failure.class].junit;
      out.push(`      <${element} message="${attr(r.failure.message)}" type="${r.failure.class}">${text(body)}</${element}>`);
    } else {
      // A test the runner could not finish (its own bug): infrastructure, never a conformance verdict.
      out.push(`      <error message="runner error" type="run-error">${text(body)}</error>`);
    }
  } else if (r.deviation?.fixed) {
    out.push(`      <system-out>${text(`deviation fixed: listed in ${r.deviation.source} (${r.deviation.ref}) but passed; remove the entry`)}</system-out>`);
  }
  out.push("    </testcase>");
  return out;
}

// GitHub Actions: a workflow command per failed test, `::error` when it fails
// the job under the gate and `::warning` when it does not (a SHOULD failure
// under --fail-on must, an expected deviation), pointing at the suite file and
// line of the failing expectation when the user's repository has that file
// (a bundled suite's annotation names the test id instead), and a Markdown
// summary appended to the step-summary file.
// The CLI adds it when GITHUB_ACTIONS=true and hands in $GITHUB_STEP_SUMMARY;
// nothing here reads the environment.
// Standards: GitHub Actions workflow commands (error, file, line, col, title).

import { appendFileSync } from "node:fs";
import path from "node:path";
import type { Protocol } from "../model/ast.ts";
import { NO_LIVE_EVENTS, type RunEvent } from "../model/events.ts";
import { FAIL_ON_LEVELS } from "../model/gate.ts";
import { isExpectedDeviation, type TestResult } from "../model/result.ts";
import { byId } from "./format/order.ts";
import { runMarks, summaryLine } from "./format/run-sections.ts";
import { displayPath } from "./format/paths.ts";
import { terminalSafe } from "./format/terminal-safe.ts";
import type { Reporter, TextSink } from "./reporter.ts";

/** Annotations beyond GitHub's per-step display limit are dropped by GitHub anyway; say how many instead. */
const MAX_ANNOTATIONS = 50;
const MAX_SUMMARY_FAILURES = 100;

type RunEnd = Extract<RunEvent, { type: "run-end" }>;

/** Workflow-command escaping: data escapes % CR LF; properties also : and ,. */
export function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export class GithubReporter implements Reporter {
  readonly name = "github";
  readonly printsToConsole = false;
  /** Nothing read live: annotations and the summary come from test-end and run-end. */
  readonly liveEvents = NO_LIVE_EVENTS;
  private readonly results: TestResult[] = [];
  private target = "";
  private end?: RunEnd;

  constructor(private readonly options: { out: TextSink; summaryFile: string; cwd: string }) {}

  onEvent(e: RunEvent): void {
    if (e.type === "run-begin") this.target = e.target.name;
    else if (e.type === "test-end") this.results.push(e.result);
    else if (e.type === "run-end") {
      this.end = e;
      const bad = this.results.filter((r) => r.status === "failed" || r.status === "error").sort(byId);
      for (const r of bad.slice(0, MAX_ANNOTATIONS)) this.options.out.write(annotation(r, this.options.cwd, failsJob(r, e)) + "\n");
      if (bad.length > MAX_ANNOTATIONS) this.options.out.write(`::warning::${bad.length - MAX_ANNOTATIONS} more failures are not annotated; see the reports\n`);
    }
  }

  close(): void {
    if (!this.options.summaryFile || !this.end) return;
    appendFileSync(this.options.summaryFile, summaryMarkdown(this.target, this.end, this.results, this.options.cwd));
  }
}

/**
 * Whether this failure is one the job fails for: the gate's rule (its levels,
 * or only regressions) when there is a gate, else every failure; an expected
 * deviation never is.
 */
export function failsJob(r: TestResult, end: Pick<RunEnd, "gate">): boolean {
  if (isExpectedDeviation(r)) return false;
  const gate = end.gate;
  if (!gate) return true;
  if (gate.regressionsOnly) return gate.regressions.some((x) => x.id === r.id);
  return FAIL_ON_LEVELS[gate.failOn].includes(r.level);
}

/**
 * A file the user's repository has: below the working directory (the
 * checkout) and not inside an installed package. The bundled suites of an
 * `npx mailconform` live elsewhere; an annotation on them would point nowhere.
 */
function inRepository(file: string, cwd: string): boolean {
  const shown = displayPath(file, cwd);
  return !path.isAbsolute(shown) && !shown.split("/").includes("node_modules");
}

export function annotation(r: TestResult, cwd: string, failing = true): string {
  const at = r.failure?.position;
  const file = at?.file ?? r.file;
  const why = failing ? "" : isExpectedDeviation(r) ? ", expected deviation" : ", does not fail the job";
  const title = `title=${escapeProperty(`${r.id} (${r.level}${why})`)}`;
  const props = inRepository(file, cwd)
    ? [`file=${escapeProperty(displayPath(file, cwd))}`, `line=${at?.line ?? r.line}`, ...(at ? [`col=${at.col}`] : []), title]
    : [title];
  const where = inRepository(file, cwd) ? "" : `test ${r.id} (bundled suite ${path.basename(file)}:${at?.line ?? r.line})\n`;
  const message = r.failure ? `${r.failure.message}\nexpected: ${r.failure.expected}\nactual: ${r.failure.actual}` : (r.warnings[0] ?? "runner error");
  const refs = r.refs.length > 0 ? `\n${r.refs.join(", ")}` : "";
  return `::${failing ? "error" : "warning"} ${props.join(",")}::${escapeData(terminalSafe(where + message) + refs)}`;
}

const cell = (s: string) => terminalSafe(s).replace(/\|/g, "\\|").replace(/\n/g, " ");

export function summaryMarkdown(target: string, end: RunEnd, results: readonly TestResult[], cwd: string): string {
  const s = end.summary;
  const out: string[] = [];
  out.push(`## mailconform: ${end.exitCode === 0 ? "✅" : "❌"} ${cell(target)}`, "");
  out.push(`**${summaryLine(s)}** — exit code ${end.exitCode}`, "");
  for (const mark of runMarks(end)) out.push(`> [!WARNING]`, `> ${cell(mark)}`, "");
  out.push("| protocol | total | passed | failed | skipped | errors |", "|---|---:|---:|---:|---:|---:|");
  for (const p of ["smtp", "pop3", "imap", "lmtp"] as Protocol[]) {
    const rs = results.filter((r) => r.protocol === p);
    if (rs.length === 0) continue;
    const n = (st: string) => rs.filter((r) => r.status === st).length;
    out.push(`| ${p} | ${rs.length} | ${n("passed")} | ${n("failed")} | ${n("skipped")} | ${n("error")} |`);
  }
  out.push("");
  if (end.gate) {
    const g = end.gate;
    out.push(`**Gate:** ${g.exitCode === 0 ? "passed" : "failed"}${g.score !== undefined ? ` — score ${g.score}%` : ""}${g.minScore !== undefined ? ` (minimum ${g.minScore}%)` : ""}`, "");
    for (const reason of g.reasons) out.push(`- ${cell(reason)}`);
    if (g.baseline !== undefined) {
      out.push(`- ${g.regressions.length} regressions, ${g.fixes.length} fixes against \`${cell(g.baseline)}\``);
      for (const r of g.regressions) out.push(`  - regression \`${r.id}\` (${r.level}): ${r.before} → ${r.now}`);
      for (const f of g.fixes) out.push(`  - fix \`${f.id}\` (${f.level}): ${f.before} → ${f.now}`);
    }
    out.push("");
  }
  const bad = results.filter((r) => r.status === "failed" || r.status === "error").sort(byId);
  if (bad.length > 0) {
    out.push("| test | level | where | why | RFC |", "|---|---|---|---|---|");
    for (const r of bad.slice(0, MAX_SUMMARY_FAILURES)) {
      const at = r.failure?.position;
      const where = `${displayPath(at?.file ?? r.file, cwd)}:${at?.line ?? r.line}`;
      out.push(`| \`${r.id}\` | ${r.level} | ${cell(where)} | ${cell(r.failure?.message ?? r.warnings[0] ?? "runner error")} | ${cell(r.refs.join(", "))} |`);
    }
    if (bad.length > MAX_SUMMARY_FAILURES) out.push("", `…and ${bad.length - MAX_SUMMARY_FAILURES} more in the reports.`);
    out.push("");
  }
  return out.join("\n") + "\n";
}

// GitHub Actions: an `::error` workflow command per failed test, pointing at
// the suite file and line of the failing expectation (shown inline on the
// pull request), and a Markdown summary appended to the step-summary file.
// The CLI adds it when GITHUB_ACTIONS=true and hands in $GITHUB_STEP_SUMMARY;
// nothing here reads the environment.
// Standards: GitHub Actions workflow commands (error, file, line, col, title).

import { appendFileSync } from "node:fs";
import type { Protocol } from "../model/ast.ts";
import type { RunEvent } from "../model/events.ts";
import type { TestResult } from "../model/result.ts";
import { byId } from "./format/order.ts";
import { runMarks } from "./format/run-sections.ts";
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
      for (const r of bad.slice(0, MAX_ANNOTATIONS)) this.options.out.write(annotation(r, this.options.cwd) + "\n");
      if (bad.length > MAX_ANNOTATIONS) this.options.out.write(`::warning::${bad.length - MAX_ANNOTATIONS} more failures are not annotated; see the reports\n`);
    }
  }

  close(): void {
    if (!this.options.summaryFile || !this.end) return;
    appendFileSync(this.options.summaryFile, summaryMarkdown(this.target, this.end, this.results, this.options.cwd));
  }
}

export function annotation(r: TestResult, cwd: string): string {
  const at = r.failure?.position;
  const file = displayPath(at?.file ?? r.file, cwd);
  const props = [`file=${escapeProperty(file)}`, `line=${at?.line ?? r.line}`, ...(at ? [`col=${at.col}`] : []), `title=${escapeProperty(`${r.id} (${r.level})`)}`];
  const message = r.failure ? `${r.failure.message}\nexpected: ${r.failure.expected}\nactual: ${r.failure.actual}` : (r.warnings[0] ?? "runner error");
  const refs = r.refs.length > 0 ? `\n${r.refs.join(", ")}` : "";
  return `::error ${props.join(",")}::${escapeData(terminalSafe(message) + refs)}`;
}

const cell = (s: string) => terminalSafe(s).replace(/\|/g, "\\|").replace(/\n/g, " ");

export function summaryMarkdown(target: string, end: RunEnd, results: readonly TestResult[], cwd: string): string {
  const s = end.summary;
  const out: string[] = [];
  out.push(`## mailconform: ${end.exitCode === 0 ? "✅" : "❌"} ${cell(target)}`, "");
  out.push(`**${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped${s.errors > 0 ? `, ${s.errors} errors` : ""}${s.notRun ? `, ${s.notRun} not run` : ""}** — exit code ${end.exitCode}`, "");
  for (const mark of runMarks(end)) out.push(`> [!WARNING]`, `> ${cell(mark)}`, "");
  out.push("| protocol | total | passed | failed | skipped | errors |", "|---|---:|---:|---:|---:|---:|");
  for (const p of ["smtp", "pop3", "imap"] as Protocol[]) {
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

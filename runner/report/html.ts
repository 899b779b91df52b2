// The run as one self-contained HTML page (--report-html, and by default
// reports/mailconform.html): every test with its status, failure in the Hurl
// shape, RFC references and transcript, and filters by protocol, status and
// level that work from file:// with no server and no request to any host.
// Everything the server sent is escaped text; nothing of it becomes markup.
// Standards: HTML Living Standard (details/summary, escaping).

import { writeFileSync } from "node:fs";
import { isExpectedDeviation, isNotRun, type TestResult } from "../model/result.ts";
import { failureText } from "./format/failure-text.ts";
import { esc, page, rfcRef } from "./format/html-page.ts";
import { byId } from "./format/order.ts";
import { displayPath } from "./format/paths.ts";
import { runMarks, summaryLine } from "./format/run-sections.ts";
import { terminalSafe } from "./format/terminal-safe.ts";
import { formatTranscript } from "./format/transcript.ts";
import { FileReporter, type CollectedRun, type RunBegin, type RunEnd } from "./file-reporter.ts";


/** What the status filter offers: the four statuses plus the two kinds of result that are counted apart. */
type Shown = TestResult["status"] | "deviation" | "not-run";

const STATUS_ORDER: Shown[] = ["failed", "error", "deviation", "passed", "skipped", "not-run"];
const STATUS_CLASS: Record<Shown, string> = { failed: "bad", error: "bad", deviation: "warn", passed: "ok", skipped: "warn", "not-run": "warn" };

export class HtmlReporter extends FileReporter {
  readonly name = "html";
  protected readonly kind = "HTML";

  protected write({ begin, end, results, runErrors }: CollectedRun): void {
    writeFileSync(this.options.file, htmlReport(begin, end, results, runErrors.map((e) => e.message), this.options.cwd));
  }
}

function shownStatus(r: TestResult): Shown {
  if (isExpectedDeviation(r)) return "deviation";
  if (isNotRun(r)) return "not-run";
  return r.status;
}

export function htmlReport(begin: RunBegin, end: RunEnd, results: readonly TestResult[], runErrors: readonly string[], cwd: string): string {
  const tests = [...results].sort(byId);
  const t = begin.target;
  const endpoints = Object.entries(t.endpoints)
    .map(([p, ep]) => `${p} ${ep.port}${ep.tls === "none" ? "" : `/${ep.tls}`}`)
    .join(", ");
  const marks = runMarks(end).map((m) => `<p class="bad">${esc(m)}</p>`);
  const errors = runErrors.map((m) => `<p class="bad">run error: ${esc(terminalSafe(m))}</p>`);
  const body = [
    `<h1>mailconform: ${esc(t.name)}</h1>`,
    `<div class="meta">${esc(t.host)} (${esc(endpoints)}) · started ${esc(begin.startedAt)} · ${(end.durationMs / 1000).toFixed(2)} s · exit code ${end.exitCode}${begin.shard ? ` · shard ${begin.shard.index}/${begin.shard.total}` : ""}</div>`,
    ...marks,
    ...errors,
    `<p id="summary"><strong>${esc(summaryLine(end.summary))}</strong></p>`,
    filters(tests),
    `<p class="meta"><span id="shown">${tests.length}</span> of ${tests.length} tests shown</p>`,
    `<div id="tests">`,
    ...tests.map((r) => testSection(r, cwd)),
    `</div>`,
  ].join("\n");
  return page(`mailconform: ${t.name}`, body, SCRIPT, STYLE);
}

function filters(tests: readonly TestResult[]): string {
  const select = (name: string, label: string, values: string[], count: (v: string) => number) =>
    `<label>${label} <select id="filter-${name}" data-filter="${name}"><option value="">all</option>${values
      .map((v) => `<option value="${esc(v)}">${esc(v)} (${count(v)})</option>`)
      .join("")}</select></label>`;
  const present = <T extends string>(order: readonly T[], of: (r: TestResult) => T) => order.filter((v) => tests.some((r) => of(r) === v));
  const n = (of: (r: TestResult) => string) => (v: string) => tests.filter((r) => of(r) === v).length;
  return [
    `<form id="filters" class="filters" onsubmit="return false">`,
    select("protocol", "Protocol", present(["smtp", "pop3", "imap", "lmtp"], (r) => r.protocol), n((r) => r.protocol)),
    select("status", "Status", present(STATUS_ORDER, shownStatus), n(shownStatus)),
    select("level", "Level", present(["MUST", "SHOULD", "MAY"], (r) => r.level), n((r) => r.level)),
    `</form>`,
  ].join("\n");
}

function testSection(r: TestResult, cwd: string): string {
  const status = shownStatus(r);
  const headline = r.failure?.message ?? r.skipReason ?? (r.status === "error" ? r.warnings[0] : undefined);
  const parts: string[] = [];
  if (r.failure || r.status === "error") {
    // The console's text of the failure, transcript left out: it follows whole below.
    parts.push(`<pre class="failure-text">${esc(failureText(r, { cwd, transcriptLines: 0 }).join("\n"))}</pre>`);
  }
  if (r.deviation) parts.push(`<p class="warn">${r.deviation.fixed ? "Passed, but listed as a deviation" : "Expected deviation"} (${rfcRef(r.deviation.ref)}): ${esc(r.deviation.reason)} <span class="meta">${esc(r.deviation.source)}</span></p>`);
  if (r.skipReason) parts.push(`<p>Skipped: ${esc(r.skipReason)}</p>`);
  for (const w of r.warnings) parts.push(`<p class="warn">warning: ${esc(terminalSafe(w))}</p>`);
  parts.push(
    `<dl><dt>refs</dt><dd class="refs">${r.refs.map(rfcRef).join(", ") || "none"}</dd><dt>level</dt><dd>${esc(r.level)}</dd>${(r.quote ?? [])
      .map((q) => `<dt>quote</dt><dd><blockquote class="quote">${esc(q)}</blockquote></dd>`)
      .join("")}<dt>file</dt><dd>${esc(displayPath(r.file, cwd))}:${r.line}</dd>${
      r.tags.length > 0 ? `<dt>tags</dt><dd>${esc(r.tags.join(", "))}</dd>` : ""
    }</dl>`,
  );
  if (r.transcript.length > 0) {
    parts.push(`<div class="meta">transcript (${r.transcript.length} lines)</div>`);
    parts.push(`<pre class="transcript">${esc(formatTranscript(r.transcript).join("\n"))}</pre>`);
  }
  return [
    `<details class="test" id="${esc(`test-${r.id}`)}" data-protocol="${esc(r.protocol)}" data-status="${status}" data-level="${esc(r.level)}">`,
    `<summary><span class="pill ${STATUS_CLASS[status]}">${status}</span> <code>${esc(r.id)}</code> ${esc(r.title)} <span class="meta">${r.durationMs} ms</span>${
      headline && status !== "passed" ? `<div class="headline">${esc(terminalSafe(headline))}</div>` : ""
    }</summary>`,
    ...parts,
    `</details>`,
  ].join("\n");
}

const STYLE = `
.filters { display: flex; gap: 1.2rem; flex-wrap: wrap; margin: 1rem 0 .4rem; }
details.test { border-bottom: 1px solid var(--line); padding: .35rem .2rem; }
details.test > summary { cursor: pointer; }
details.test .headline { color: var(--bad); margin: .2rem 0 0 1.2rem; font-size: .9rem; white-space: pre-wrap; }
details.test[data-status="skipped"] .headline, details.test[data-status="not-run"] .headline, details.test[data-status="deviation"] .headline { color: var(--warn); }
pre.transcript, pre.failure-text { white-space: pre; max-height: 40rem; }
blockquote.quote { margin: 0; padding-left: .6rem; border-left: 3px solid var(--line); font-style: italic; }
`;

/** The filters: a test shows when it matches every select that is not "all". */
const SCRIPT = `
(() => {
  const selects = [...document.querySelectorAll("#filters select")];
  const tests = [...document.querySelectorAll("details.test")];
  const apply = () => {
    let shown = 0;
    for (const t of tests) {
      const ok = selects.every((s) => s.value === "" || t.dataset[s.dataset.filter] === s.value);
      t.hidden = !ok;
      if (ok) shown++;
    }
    document.getElementById("shown").textContent = String(shown);
  };
  for (const s of selects) s.addEventListener("change", apply);
  apply();
})();
`;

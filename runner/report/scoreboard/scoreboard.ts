// The class scoreboard: one self-contained HTML page with a table sortable by
// any column (target, score, per-protocol scores, MUST failures, reachability,
// command latency), plus the same rows as CSV and the whole ClassGrade as
// JSON. Each row links to the target's student report.
// Standards: RFC 4180 (CSV).

import type { Protocol } from "../../model/ast.ts";
import type { ClassGrade, TargetGrade } from "../../model/grade.ts";
import { esc, page, pct } from "../format/html-page.ts";

const PROTOCOLS: Protocol[] = ["smtp", "pop3", "imap", "lmtp"];

/** The protocols any target was scored on, in the usual order: columns for the others would be empty. */
export function scoredProtocols(grade: ClassGrade): Protocol[] {
  return PROTOCOLS.filter((p) => grade.targets.some((t) => t.protocols[p] !== undefined));
}

/** Median and p95 command latency per protocol ("smtp 0/1"), and the largest p95 as the sort key. */
export function latencySummary(t: TargetGrade): { text: string; key: number } {
  const parts: string[] = [];
  let key = -1;
  for (const p of PROTOCOLS) {
    const d = t.stats?.[p]?.allCommands;
    if (!d || d.count === 0) continue;
    parts.push(`${p} ${d.median}/${d.p95}`);
    key = Math.max(key, d.p95);
  }
  return { text: parts.join(" · ") || "–", key };
}

const STATUS_TEXT: Record<TargetGrade["status"], string> = {
  graded: "graded",
  "partly-unreachable": "partly unreachable",
  unreachable: "unreachable",
  "login-failed": "login failed",
  incomplete: "incomplete",
};

/**
 * One column of the scoreboard, for the HTML table and the CSV alike: the
 * value is computed here once, so the two can never disagree about a count.
 * `html` only decorates the value (colour, links); `key` sorts the HTML.
 */
interface Column {
  csv: string;
  heading: string;
  num?: boolean;
  title?: string;
  value(t: TargetGrade): string | number;
  html?(t: TargetGrade, value: string | number): string;
  key?(t: TargetGrade): string | number;
}

const verdict = (t: TargetGrade) => (t.status === "unreachable" ? "unreachable" : t.passedMark ? "pass" : "fail");
const listed = (items: readonly string[], sep: string) => (items.length > 0 ? `<span class="bad">${esc(items.join(sep))}</span>` : "–");

export function columns(protocols: readonly Protocol[]): Column[] {
  return [
    { csv: "target", heading: "Target", value: (t) => t.name, html: (t) => `<strong>${esc(t.name)}</strong>`, key: (t) => t.name.toLowerCase() },
    { csv: "host", heading: "Host", value: (t) => t.host },
    { csv: "status", heading: "Status", value: (t) => t.status, html: (t) => (t.status === "graded" ? STATUS_TEXT[t.status] : `<span class="warn">${STATUS_TEXT[t.status]}</span>`) },
    { csv: "score", heading: "Score", num: true, value: (t) => t.score.percent ?? "", html: (t) => pct(t.score.percent), key: (t) => t.score.percent ?? -1 },
    { csv: "passed_mark", heading: "Result", value: (t) => (t.passedMark ? "yes" : "no"), html: (t) => `<span class="${verdict(t) === "pass" ? "ok" : "bad"}">${verdict(t)}</span>`, key: (t) => ["pass", "fail", "unreachable"].indexOf(verdict(t)) },
    ...protocols.map((p): Column => ({ csv: `${p}_score`, heading: p.toUpperCase(), num: true, value: (t) => t.protocols[p]?.percent ?? "", html: (t) => (t.protocols[p] ? pct(t.protocols[p]!.percent) : "–"), key: (t) => t.protocols[p]?.percent ?? -1 })),
    { csv: "must_failures", heading: "MUST failures", num: true, value: (t) => t.score.mustFailed, html: (t, v) => (t.score.mustFailed > 0 ? `<span class="bad">${v}</span>` : String(v)) },
    { csv: "passed", heading: "Passed", num: true, value: (t) => t.summary.passed },
    { csv: "failed", heading: "Failed", num: true, title: "the server answered, but not as the RFC requires", value: (t) => t.summary.failed },
    { csv: "errors", heading: "Errors", num: true, title: "could not connect, TLS failed, or the connection broke", value: (t) => t.summary.errors },
    { csv: "skipped", heading: "Skipped", num: true, value: (t) => t.summary.skipped },
    { csv: "not_run", heading: "Not run", num: true, title: "never started or stopped early (time budget, failed login); counted as failed", value: (t) => t.summary.notRun ?? 0 },
    { csv: "unreachable", heading: "Unreachable", value: (t) => t.unreachable.join(" "), html: (t) => listed(t.unreachable, ", ") },
    { csv: "login_failed", heading: "Login failed", value: (t) => t.loginFailures.join("; "), html: (t) => listed(t.loginFailures, "; ") },
    { csv: "latency_ms", heading: "Latency ms", num: true, title: "median / p95 of all commands, per protocol", value: (t) => latencySummary(t).text, key: (t) => latencySummary(t).key },
    { csv: "report", heading: "Report", value: (t) => t.reportHtml, html: (t) => `<a class="report-link" href="${esc(t.reportHtml)}">report</a> · <a href="${esc(t.reportJson)}">json</a>` },
  ];
}

export function scoreboardHtml(grade: ClassGrade): string {
  const cols = columns(scoredProtocols(grade));
  const passed = grade.targets.filter((t) => t.passedMark).length;
  const w = grade.profile.weights;
  const head = cols
    .map((c) => `<th class="sortable${c.num ? " num" : ""}" data-type="${c.num ? "num" : "text"}" data-column="${c.csv}"${c.title ? ` title="${esc(c.title)}"` : ""}>${esc(c.heading)}</th>`)
    .join("");
  const rows = grade.targets.map((t) => {
    const cells = cols.map((c) => {
      const value = c.value(t);
      const html = c.html ? c.html(t, value) : esc(String(value));
      return `<td${c.num ? ` class="num"` : ""} data-column="${c.csv}" data-value="${esc(String(c.key ? c.key(t) : value))}">${html}</td>`;
    });
    return `<tr data-target="${esc(t.name)}">${cells.join("")}</tr>`;
  });
  const body = `
<h1>Scoreboard — ${esc(grade.profile.title)}</h1>
<p class="meta">Profile <code>${esc(grade.profile.name)}</code> · ${grade.tests} tests · weights MUST ${w.MUST}, SHOULD ${w.SHOULD}, MAY ${w.MAY} · pass mark ${grade.profile.passMark}% ·
${grade.targets.length} targets, <span class="ok">${passed} pass</span>, <span class="bad">${grade.targets.length - passed} fail</span> · graded ${esc(grade.finishedAt)} in ${(grade.durationMs / 1000).toFixed(1)} s</p>${shardNote(grade)}
<p class="meta">Click a column heading to sort. Scores are weighted points earned over points possible; tests of an extension the server does not advertise are left out, tests that could not run count as failed.</p>
<table id="scoreboard">
<thead><tr>${head}</tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<p class="meta">Also as <a href="scoreboard.csv">CSV</a> and <a href="scoreboard.json">JSON</a>.</p>`;
  return page(`Scoreboard — ${grade.profile.title}`, body, SORT_SCRIPT);
}

/** Sorts the table by the clicked column: numbers numerically, text by locale; a second click reverses. */
const SORT_SCRIPT = `
(function () {
  var table = document.getElementById("scoreboard");
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    if (!th.classList.contains("sortable")) return;
    th.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : th.getAttribute("aria-sort") === "ascending" ? "descending" : (th.dataset.type === "num" ? "descending" : "ascending");
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir);
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var num = th.dataset.type === "num";
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
        var c = num ? Number(x) - Number(y) : x.localeCompare(y);
        if (c === 0) c = a.dataset.target.localeCompare(b.dataset.target);
        return dir === "ascending" ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
`;

function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function scoreboardCsv(grade: ClassGrade): string {
  const cols = columns(scoredProtocols(grade));
  const lines = [cols.map((c) => c.csv).join(","), ...grade.targets.map((t) => cols.map((c) => csvField(c.value(t))).join(","))];
  return lines.join("\r\n") + "\r\n";
}

/** Says when the page shows only part of a class: one shard of it, or a join with shards missing. */
function shardNote(grade: ClassGrade): string {
  if (grade.shard) {
    return `\n<p class="meta bad">Shard ${grade.shard.index} of ${grade.shard.total}: ${grade.targets.length} of the class's ${grade.shard.classSize} targets (join the shards' folders with <code>mailconform merge-grades</code>).</p>`;
  }
  if (grade.missingShards) {
    const { missing, total } = grade.missingShards;
    return `\n<p class="meta bad">Incomplete: shard${missing.length === 1 ? "" : "s"} ${missing.map((i) => `${i}/${total}`).join(", ")} missing; their targets are not on this page.</p>`;
  }
  return "";
}

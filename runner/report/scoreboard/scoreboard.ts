// The class scoreboard: one self-contained HTML page with a table sortable by
// any column (target, score, per-protocol scores, MUST failures, reachability,
// command latency), plus the same rows as CSV and the whole ClassGrade as
// JSON. Each row links to the target's student report.
// Standards: RFC 4180 (CSV).

import type { Protocol } from "../../model/ast.ts";
import type { ClassGrade, TargetGrade } from "../../model/grade.ts";
import { esc, page, pct } from "./page.ts";

const PROTOCOLS: Protocol[] = ["smtp", "pop3", "imap"];

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
  incomplete: "incomplete",
};

export function scoreboardHtml(grade: ClassGrade): string {
  const protocols = scoredProtocols(grade);
  const passed = grade.targets.filter((t) => t.passedMark).length;
  const w = grade.profile.weights;
  const head = [
    `<th class="sortable" data-type="text">Target</th>`,
    `<th class="sortable num" data-type="num">Score</th>`,
    `<th class="sortable" data-type="text">Result</th>`,
    ...protocols.map((p) => `<th class="sortable num" data-type="num">${p.toUpperCase()}</th>`),
    `<th class="sortable num" data-type="num">MUST failures</th>`,
    `<th class="sortable num" data-type="num">Passed</th>`,
    `<th class="sortable num" data-type="num">Failed</th>`,
    `<th class="sortable num" data-type="num">Skipped</th>`,
    `<th class="sortable" data-type="text">Unreachable</th>`,
    `<th class="sortable num" data-type="num" title="median / p95 of all commands, per protocol">Latency ms</th>`,
    `<th>Report</th>`,
  ].join("");
  const rows = grade.targets.map((t) => {
    const score = t.score.percent ?? -1;
    const lat = latencySummary(t);
    const result = t.status === "unreachable" ? `<span class="bad">unreachable</span>` : t.passedMark ? `<span class="ok">pass</span>` : `<span class="bad">fail</span>`;
    const cells = [
      `<td data-value="${esc(t.name.toLowerCase())}"><strong>${esc(t.name)}</strong><br><small class="meta">${esc(t.host)}${t.status !== "graded" ? ` · ${STATUS_TEXT[t.status]}` : ""}</small></td>`,
      `<td class="num" data-value="${score}">${pct(t.score.percent)}</td>`,
      `<td data-value="${t.status === "unreachable" ? "2" : t.passedMark ? "0" : "1"}">${result}</td>`,
      ...protocols.map((p) => `<td class="num" data-value="${t.protocols[p]?.percent ?? -1}">${t.protocols[p] ? pct(t.protocols[p]!.percent) : "–"}</td>`),
      `<td class="num${t.score.mustFailed > 0 ? " bad" : ""}" data-value="${t.score.mustFailed}">${t.score.mustFailed}</td>`,
      `<td class="num" data-value="${t.summary.passed}">${t.summary.passed}</td>`,
      `<td class="num" data-value="${t.summary.failed + t.summary.errors}">${t.summary.failed + t.summary.errors}</td>`,
      `<td class="num" data-value="${t.summary.skipped}">${t.summary.skipped}</td>`,
      `<td data-value="${esc(t.unreachable.join(" "))}">${t.unreachable.length > 0 ? `<span class="bad">${esc(t.unreachable.join(", "))}</span>` : "–"}</td>`,
      `<td class="num" data-value="${lat.key}">${esc(lat.text)}</td>`,
      `<td><a class="report-link" href="${esc(t.reportHtml)}">report</a> · <a href="${esc(t.reportJson)}">json</a></td>`,
    ];
    return `<tr data-target="${esc(t.name)}">${cells.join("")}</tr>`;
  });
  const body = `
<h1>Scoreboard — ${esc(grade.profile.title)}</h1>
<p class="meta">Profile <code>${esc(grade.profile.name)}</code> · ${grade.tests} tests · weights MUST ${w.MUST}, SHOULD ${w.SHOULD}, MAY ${w.MAY} · pass mark ${grade.profile.passMark}% ·
${grade.targets.length} targets, <span class="ok">${passed} pass</span>, <span class="bad">${grade.targets.length - passed} fail</span> · graded ${esc(grade.finishedAt)} in ${(grade.durationMs / 1000).toFixed(1)} s</p>
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
  const protocols = scoredProtocols(grade);
  const head = ["target", "host", "status", "score", "passed_mark", ...protocols.map((p) => `${p}_score`), "must_failures", "passed", "failed", "errors", "skipped", "unreachable", "report"];
  const lines = [head.join(",")];
  for (const t of grade.targets) {
    lines.push(
      [
        t.name,
        t.host,
        t.status,
        t.score.percent ?? "",
        t.passedMark ? "yes" : "no",
        ...protocols.map((p) => t.protocols[p]?.percent ?? ""),
        t.score.mustFailed,
        t.summary.passed,
        t.summary.failed,
        t.summary.errors,
        t.summary.skipped,
        t.unreachable.join(" "),
        t.reportHtml,
      ]
        .map(csvField)
        .join(","),
    );
  }
  return lines.join("\r\n") + "\r\n";
}

// The report a student reads about their own server: the score and what it
// is made of, then every failed test with why (expected / actual, the suite
// line, the RFC section) and its wire transcript, the skipped tests with
// their reasons, the passed ones, and the protocol statistics.
// Standards: none (report format).

import type { Protocol } from "../../model/ast.ts";
import type { ClassGrade, TargetGrade } from "../../model/grade.ts";
import type { TestResult } from "../../model/result.ts";
import { formatTranscript } from "../format/transcript.ts";
import { esc, page, pct, rfcRef } from "../format/html-page.ts";

const PROTOCOLS: Protocol[] = ["smtp", "pop3", "imap", "lmtp"];
/** A flood of a transcript must not make the page unreadable; the JSON report keeps it whole. */
const MAX_TRANSCRIPT_LINES = 300;

export function studentReportHtml(grade: ClassGrade, t: TargetGrade, tests: readonly TestResult[]): string {
  const byId = [...tests].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const bad = byId.filter((r) => r.status === "failed" || r.status === "error");
  const skipped = byId.filter((r) => r.status === "skipped");
  const passed = byId.filter((r) => r.status === "passed");
  const verdict = t.status === "unreachable" ? `<span class="bad">unreachable</span>` : t.passedMark ? `<span class="ok">pass</span>` : `<span class="bad">fail</span>`;
  const parts: string[] = [];
  parts.push(`<p><a href="../../index.html">← scoreboard</a></p>`);
  parts.push(`<h1>${esc(t.name)}: ${pct(t.score.percent)} ${verdict}</h1>`);
  parts.push(
    `<p class="meta">${esc(grade.profile.title)} · pass mark ${grade.profile.passMark}% · ${t.score.earned} of ${t.score.possible} points (MUST ${grade.profile.weights.MUST}, SHOULD ${grade.profile.weights.SHOULD}, MAY ${grade.profile.weights.MAY} per test) · server ${esc(t.host)} · ${t.summary.passed} passed, ${t.summary.failed} failed, ${t.summary.errors} errors, ${t.summary.skipped} skipped</p>`,
  );
  if (t.unreachable.length > 0) parts.push(`<p class="bad">Could not reach: ${esc(t.unreachable.join(", "))}. Every test of ${t.unreachable.length === 1 ? "that protocol" : "those protocols"} counts as failed.</p>`);
  if (t.loginFailures.length > 0) parts.push(`<p class="bad">${esc(t.loginFailures.join("; "))}. The tests that need ${t.loginFailures.length === 1 ? "that login" : "those logins"} were not run and count as failed: check the password in the targets file, or the server's login.</p>`);
  for (const note of t.notes) parts.push(`<p class="warn">${esc(note)}</p>`);

  const rows = PROTOCOLS.filter((p) => t.protocols[p]).map((p) => {
    const s = t.protocols[p]!;
    return `<tr><td>${p.toUpperCase()}</td><td class="num">${pct(s.percent)}</td><td class="num">${s.earned} / ${s.possible}</td><td class="num">${s.passed}</td><td class="num">${s.failed}</td><td class="num${s.mustFailed ? " bad" : ""}">${s.mustFailed}</td><td class="num">${s.ignored}</td></tr>`;
  });
  parts.push(`<h2>Score by protocol</h2><table><thead><tr><th>Protocol</th><th class="num">Score</th><th class="num">Points</th><th class="num">Passed</th><th class="num">Failed</th><th class="num">MUST failed</th><th class="num">Not scored</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);

  parts.push(`<h2 id="failed">Failed (${bad.length})</h2>`);
  if (bad.length === 0) parts.push(`<p class="ok">No test failed.</p>`);
  for (const r of bad) parts.push(failureBlock(r));

  parts.push(`<h2 id="skipped">Skipped (${skipped.length})</h2>`);
  if (skipped.length > 0) {
    parts.push(`<table><thead><tr><th>Test</th><th>Level</th><th>Why</th></tr></thead><tbody>${skipped.map((r) => `<tr><td><code>${esc(r.id)}</code><br>${esc(r.title)}</td><td>${r.level}</td><td>${esc(r.skipReason ?? "")}</td></tr>`).join("")}</tbody></table>`);
  }
  parts.push(`<h2 id="passed">Passed (${passed.length})</h2>`);
  if (passed.length > 0) {
    parts.push(`<details><summary>Show the ${passed.length} passed tests</summary><table><tbody>${passed.map((r) => `<tr><td><code>${esc(r.id)}</code></td><td>${r.level}</td><td>${esc(r.title)}</td><td>${r.refs.map(rfcRef).join(", ")}</td></tr>`).join("")}</tbody></table></details>`);
  }
  parts.push(statsBlock(t));
  return page(`${t.name} — ${grade.profile.title}`, parts.join("\n"));
}

function failureBlock(r: TestResult): string {
  const f = r.failure;
  const out: string[] = [];
  out.push(`<div class="failure${r.status === "error" ? " error" : ""}" id="${esc(r.id)}">`);
  out.push(`<h3><code>${esc(r.id)}</code> <span class="pill">${r.level}</span> ${r.status === "error" ? `<span class="pill warn">error</span>` : ""}</h3>`);
  out.push(`<div>${esc(r.title)}</div>`);
  out.push("<dl>");
  if (f) {
    out.push(`<dt>Why</dt><dd>${esc(f.message)}</dd>`);
    out.push(`<dt>Expected</dt><dd><code>${esc(f.expected)}</code></dd>`);
    out.push(`<dt>Actual</dt><dd><code>${esc(f.actual)}</code></dd>`);
    if (f.command !== undefined) out.push(`<dt>After</dt><dd><code>${esc(f.command)}</code></dd>`);
    out.push(`<dt>Where</dt><dd>${esc(f.position.file)}:${f.position.line}:${f.position.col} (${f.phase} step ${f.step}, ${f.class})</dd>`);
  } else {
    out.push(`<dt>Why</dt><dd>${esc(r.warnings[0] ?? "the runner could not finish this test")}</dd>`);
  }
  if (r.refs.length > 0) out.push(`<dt>RFC</dt><dd>${r.refs.map(rfcRef).join(", ")}</dd>`);
  out.push("</dl>");
  if (r.transcript.length > 0) {
    const lines = r.transcript.length > MAX_TRANSCRIPT_LINES ? r.transcript.slice(-MAX_TRANSCRIPT_LINES) : r.transcript;
    const note = lines.length < r.transcript.length ? ` (last ${lines.length} of ${r.transcript.length} lines)` : "";
    out.push(`<details open><summary>Transcript${note}</summary><pre>${esc(formatTranscript(lines).join("\n"))}</pre></details>`);
  }
  out.push("</div>");
  return out.join("\n");
}

function statsBlock(t: TargetGrade): string {
  if (!t.stats) return "";
  const out: string[] = [`<h2 id="stats">Protocol statistics</h2>`];
  for (const p of PROTOCOLS) {
    const s = t.stats[p];
    if (!s) continue;
    const d = (x?: { min: number; median: number; p95: number; max: number }) => (x ? `${x.min} / ${x.median} / ${x.p95} / ${x.max}` : "–");
    const replies = Object.entries(s.replies).map(([k, n]) => `${esc(k)}: ${n}`).join(", ") || "–";
    out.push(`<h3>${p.toUpperCase()}</h3>`);
    out.push(`<p class="meta">${s.connections} connections · ${s.bytesSent} octets sent, ${s.bytesReceived} received · replies ${replies} · connect ${d(s.connect)} ms · TLS handshake ${d(s.tlsHandshake)} ms (min / median / p95 / max)</p>`);
    const rows = Object.entries(s.latency).map(([verb, x]) => `<tr><td><code>${esc(verb)}</code></td><td class="num">${x.count}</td><td class="num">${x.min}</td><td class="num">${x.median}</td><td class="num">${x.p95}</td><td class="num">${x.max}</td></tr>`);
    if (rows.length > 0) out.push(`<table><thead><tr><th>Command</th><th class="num">n</th><th class="num">min ms</th><th class="num">median</th><th class="num">p95</th><th class="num">max</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
  }
  return out.join("\n");
}

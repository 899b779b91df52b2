// The sections the gate and the statistics add above the console's last
// line: a statistics table per protocol (--stats) and the gate's verdict with
// regressions, fixes, score and why the run failed, both from run-end; and
// the marks of a partial run (interrupted, incomplete) every report shows.
// Standards: none (report format).

import type { RunEvent } from "../../model/events.ts";
import type { GateVerdict } from "../../model/gate.ts";
import type { Summary } from "../../model/result.ts";
import type { Distribution, RunStats } from "../../model/stats.ts";
import type { Colors } from "./failure-text.ts";

export function ms(d: Distribution | undefined): string {
  if (!d) return "-";
  return `${d.min}/${d.median}/${d.p95}/${d.max}`;
}

export function statsSection(stats: RunStats): string[] {
  const out: string[] = ["Protocol statistics (ms: min/median/p95/max)"];
  for (const [protocol, s] of Object.entries(stats)) {
    if (!s) continue;
    const replies = Object.entries(s.replies).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
    out.push(`  ${protocol}: ${s.connections} connections, ${s.bytesSent} octets sent, ${s.bytesReceived} received; replies ${replies}`);
    out.push(`    connect ${ms(s.connect)}   TLS handshake ${ms(s.tlsHandshake)}   all commands ${ms(s.allCommands)}`);
    const rows = Object.entries(s.latency).map(([verb, d]) => [verb, String(d.count), String(d.min), String(d.median), String(d.p95), String(d.max)]);
    if (rows.length === 0) continue;
    const head = ["command", "n", "min", "median", "p95", "max"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (cells: string[]) => "    " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
    out.push(fmt(head), ...rows.map(fmt));
  }
  return out;
}

export function gateSection(gate: GateVerdict, c: Colors): string[] {
  const out: string[] = [];
  const score = gate.score === undefined ? "n/a" : `${gate.score}%`;
  out.push(`Gate: ${gate.exitCode === 0 ? c.green("passed") : c.red("failed")} (score ${score}${gate.minScore !== undefined ? `, minimum ${gate.minScore}%` : ""}; ${gate.regressionsOnly ? "only regressions fail" : `--fail-on ${gate.failOn}`})`);
  if (gate.baseline !== undefined) {
    out.push(`  against ${gate.baseline}: ${gate.regressions.length} regression${gate.regressions.length === 1 ? "" : "s"}, ${gate.fixes.length} fix${gate.fixes.length === 1 ? "" : "es"}`);
    for (const r of gate.regressions) out.push(`  ${c.red("regression")} ${r.id} (${r.level}): ${r.before} → ${r.now}`);
    for (const f of gate.fixes) out.push(`  ${c.green("fix")}        ${f.id} (${f.level}): ${f.before} → ${f.now}`);
  }
  for (const reason of gate.reasons) out.push(`  ${c.red("✗")} ${reason}`);
  return out;
}

/** One line per reason the report is partial ("interrupted by SIGINT: 406 of 421 tests not run", "incomplete: shard 3/3 missing"). */
export function runMarks(end: Pick<Extract<RunEvent, { type: "run-end" }>, "interrupted" | "incomplete">): string[] {
  return [...(end.interrupted ? [end.interrupted.message] : []), ...(end.incomplete ? [end.incomplete.message] : [])];
}

/**
 * The console's last line, which scripts read: `N passed, N failed, N skipped`
 * in that fixed form (CI machinery matches it), then the counts that exist only
 * when non-zero, so that the line accounts for every test of the run.
 */
export function summaryLine(s: Summary): string {
  const extra = [
    ...(s.errors ? [plural(s.errors, "error")] : []),
    ...(s.deviations ? [`${s.deviations} expected deviations`] : []),
    ...(s.notRun ? [`${s.notRun} not run`] : []),
  ];
  return [`${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`, ...extra].join(", ");
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// What the gate and the statistics add to the built-in reports, without
// changing them: the console gets a gate section (regressions, fixes, score,
// why the run failed) and with --stats a statistics table, printed above its
// final "N passed, N failed, N skipped" line so scripts still read that last;
// the JSON report gets `stats` and `gate` from run-end.
// Standards: none (report format).

import { readFileSync, writeFileSync } from "node:fs";
import type { RunEvent } from "../model/events.ts";
import type { GateVerdict } from "../model/gate.ts";
import type { Distribution, RunStats } from "../model/stats.ts";
import { PLAIN, type Colors } from "./format/failure-text.ts";
import type { Reporter, TextSink } from "./reporter.ts";

type RunEnd = Extract<RunEvent, { type: "run-end" }>;

/**
 * Wraps the console reporter: its run-end block is held back, and the gate
 * and statistics sections go in before the block's last line.
 */
export class ConsoleWithSections implements Reporter {
  readonly name: string;
  readonly printsToConsole = true;
  private held: string[] | undefined;

  constructor(
    build: (sink: TextSink) => Reporter,
    private readonly out: TextSink,
    private readonly options: { stats: boolean; colors?: Colors },
  ) {
    this.inner = build({ write: (text: string) => (this.held ? this.held.push(String(text)) : this.out.write(text)) });
    this.name = this.inner.name;
  }

  private readonly inner: Reporter;

  onEvent(e: RunEvent): void {
    if (e.type !== "run-end") {
      this.inner.onEvent(e);
      return;
    }
    this.held = [];
    try {
      this.inner.onEvent(e);
    } finally {
      const lines = this.held.join("").replace(/\n$/, "").split("\n");
      this.held = undefined;
      const last = lines.pop() ?? "";
      const sections = [
        ...(this.options.stats && e.stats ? statsSection(e.stats) : []),
        ...(e.gate ? gateSection(e.gate, this.options.colors ?? PLAIN) : []),
      ];
      const body = lines.length > 0 ? lines.join("\n") + "\n" : "";
      this.out.write(body + (sections.length > 0 ? sections.join("\n") + "\n\n" : "") + last + "\n");
    }
  }

  close(): Promise<void> | void {
    return this.inner.close?.();
  }
}

/** The JSON reporter, then `stats` and `gate` from run-end added to the file it wrote. */
export class JsonWithExtras implements Reporter {
  readonly name: string;
  readonly printsToConsole = false;
  private end?: RunEnd;

  constructor(
    private readonly inner: Reporter,
    private readonly file: string,
  ) {
    this.name = inner.name;
  }

  onEvent(e: RunEvent): void {
    if (e.type === "run-end") this.end = e;
    this.inner.onEvent(e);
  }

  async close(): Promise<void> {
    await this.inner.close?.();
    const { stats, gate } = this.end ?? {};
    if (!stats && !gate) return;
    const doc = JSON.parse(readFileSync(this.file, "utf8")) as Record<string, unknown>;
    if (stats) doc.stats = stats;
    if (gate) doc.gate = gate;
    writeFileSync(this.file, JSON.stringify(doc, null, 2) + "\n");
  }
}

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

// A stress result as a console table (per command: ops/s, latency
// percentiles, errors) and the error kinds seen. The JSON form is the
// StressResult itself, written by the CLI.
// Standards: none.

import type { StressResult } from "./run-stress.ts";

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));

export function formatStress(r: StressResult): string {
  const header = ["protocol", "command", "ok", "errors", "ops/s", "min ms", "median", "p95", "p99", "max"];
  const rows = r.commands.map((c) => [
    c.protocol,
    c.command,
    String(c.ok),
    String(c.errors),
    c.opsPerSecond.toFixed(1),
    ...(c.latencyMs ? [c.latencyMs.min, c.latencyMs.median, c.latencyMs.p95, c.latencyMs.p99, c.latencyMs.max].map(ms) : ["-", "-", "-", "-", "-"]),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const out = [
    `stress: ${r.target.name} (${r.target.host}), ${r.options.clients} clients, mix ${Object.entries(r.options.mix).filter(([, w]) => w > 0).map(([p, w]) => `${p}=${w}`).join(",")}, seed ${r.options.seed}, ${r.wallSeconds.toFixed(2)} s`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    "sessions: " +
      Object.entries(r.sessions)
        .filter(([, s]) => s.completed + s.failed > 0)
        .map(([p, s]) => `${p} ${s.completed} completed (${s.perSecond.toFixed(1)}/s), ${s.failed} failed`)
        .join("; "),
  ];
  if (r.errors.length > 0) {
    out.push("", `errors (${r.totalErrors}):`);
    for (const e of r.errors.slice(0, 20)) out.push(`  ${e.count}× ${e.protocol} ${e.command}: ${e.message}`);
  }
  return out.join("\n");
}

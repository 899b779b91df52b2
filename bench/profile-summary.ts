// Reads a V8 .cpuprofile (from `node --cpu-prof` or the inspector) and prints
// self time per function, heaviest first, so a profile of the runner bench
// can be read without a browser. Bench tooling only; nothing imports it.
// Standards: none (V8 CPU profile format: nodes, samples, timeDeltas).
//
// Usage: node --import=tsx bench/profile-summary.ts FILE.cpuprofile [TOP] [--only PATH-PART]

import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function selfTimes(profile: CpuProfile): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    // tsx emits each module on few lines: the column tells anonymous functions apart.
    const where = url ? `${url.replace(/^file:\/\/.*?\/(runner|bench|node_modules|reference-server)\//, "$1/")}:${lineNumber + 1}:${columnNumber + 1}` : "";
    const key = `${functionName || "(anonymous)"} ${where}`.trim();
    // timeDeltas[i] is the time before sample i; charge the sample its own interval (the next delta).
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  return [...selfUs.entries()].map(([name, us]) => ({ name, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, topArg, ...rest] = process.argv.slice(2);
  if (!file) {
    console.error("usage: profile-summary FILE.cpuprofile [TOP] [--only PATH-PART]");
    process.exit(2);
  }
  const only = rest[0] === "--only" ? rest[1] : undefined;
  const rows = selfTimes(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const total = rows.reduce((sum, r) => sum + r.ms, 0);
  console.log(`total sampled ${total.toFixed(0)} ms`);
  for (const row of rows.filter((r) => !only || r.name.includes(only)).slice(0, Number(topArg ?? 40))) {
    console.log(`${row.ms.toFixed(1).padStart(9)} ms ${((100 * row.ms) / total).toFixed(1).padStart(5)}%  ${row.name}`);
  }
}

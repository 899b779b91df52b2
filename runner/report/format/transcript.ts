// The wire transcript as text: the lecture's "Protokollmitschnitt", one
// C:/S: line per protocol line with its millisecond offset from test start.
// The connection name is shown only when a test used more than one.

import type { TranscriptLine } from "../../model/result.ts";
import { terminalSafe } from "./terminal-safe.ts";

/** `minWidth`: the offsets' least width, for lines printed one at a time (-v) that should still align. */
export function formatTranscript(lines: readonly TranscriptLine[], indent = "", minWidth = 1): string[] {
  const named = lines.some((l) => l.connection !== "main");
  const width = Math.max(minWidth, ...lines.map((l) => String(l.ms).length));
  return lines.map((l) => {
    const who = named ? `${terminalSafe(l.connection)} ` : "";
    const mark = l.dir === "*" ? "*" : `${l.dir}:`;
    return `${indent}${String(l.ms).padStart(width)} ms  ${who}${mark} ${terminalSafe(l.text)}`;
  });
}

/** The last `max` lines, with a header saying how many were left out. */
export function transcriptTail(lines: readonly TranscriptLine[], max: number): { header: string; lines: readonly TranscriptLine[] } {
  if (lines.length <= max) return { header: `transcript (${lines.length} lines):`, lines };
  return { header: `transcript (last ${max} of ${lines.length} lines):`, lines: lines.slice(-max) };
}

// soak/RESULTS.md has two owners: `npm run soak` (soak/run-all.ts) writes the
// campaign's figures above a marker line; below it, engineers record figures
// measured by hand (an attack before and after its fix, the runner against a
// flooding server), which no run can regenerate. Rewriting the file keeps
// everything below the marker, and moves there any `## ` section found above
// it that the script does not write (written before the marker existed).
// Standards: none (report file).

/** The line between the generated part and the hand-written one. */
export const HAND_WRITTEN_MARKER = "<!-- Hand-written sections below: `npm run soak` (soak/run-all.ts) regenerates what is above this line and keeps everything below it. -->";

interface Section {
  heading: string;
  text: string;
}

/** `## ` sections of a Markdown text, each up to the next heading or the script's closing "Result:" line. */
function sections(text: string): Section[] {
  const out: Section[] = [];
  let current: { heading: string; lines: string[] } | undefined;
  const flush = () => {
    if (current) out.push({ heading: current.heading, text: current.lines.join("\n").trimEnd() });
    current = undefined;
  };
  for (const line of text.split("\n")) {
    if (line.startsWith("## ")) {
      flush();
      current = { heading: line.trim(), lines: [line] };
    } else if (line.startsWith("# ") || line.startsWith("Result:")) flush();
    else current?.lines.push(line);
  }
  flush();
  return out;
}

/** The new file: the generated text, the marker, and what the old file held that is not generated. */
export function withHandWritten(generated: string, previous: string): string {
  const at = previous.indexOf(HAND_WRITTEN_MARKER);
  const above = at < 0 ? previous : previous.slice(0, at);
  const below = at < 0 ? "" : previous.slice(at + HAND_WRITTEN_MARKER.length).trim();
  const ours = new Set(sections(generated).map((s) => s.heading));
  const stray = sections(above).filter((s) => !ours.has(s.heading)).map((s) => s.text);
  const kept = [...stray, ...(below ? [below] : [])];
  return `${generated.trimEnd()}\n\n${HAND_WRITTEN_MARKER}\n${kept.length > 0 ? `\n${kept.join("\n\n")}\n` : ""}`;
}

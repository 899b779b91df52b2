// Markdown tables for bench output: the same text goes to the console and,
// through bench/run-all.ts, into bench/RESULTS.md.
// Standards: none.

export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/** "1.23×", with a mark for whether it meets the goal. */
export function ratioCell(ratio: number, meets: boolean): string {
  return `${ratio.toFixed(2)}× ${meets ? "(goal met)" : "(short of goal)"}`;
}

/** Count of regular files in a Maildir's new/ and cur/ (delivered messages). */
export async function maildirCount(dir: string): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  let n = 0;
  for (const sub of ["new", "cur"]) {
    try {
      n += (await readdir(`${dir}/${sub}`)).length;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return n;
}

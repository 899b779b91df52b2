// Renders the coverage matrix as Markdown: one table per RFC section, one
// per command, each row with its test count, positive/negative split and ids.
// Standards: none (report format).

import type { Coverage, CoverageRow } from "./matrix.ts";

function ids(row: CoverageRow): string {
  return row.tests.map((id) => `\`${id}\``).join(", ");
}

export function renderCoverageMarkdown(coverage: Coverage, title = "Coverage"): string {
  const lines = [
    `# ${title}`,
    "",
    `${coverage.testCount} tests, ${coverage.sections.length} RFC sections, ${coverage.commands.length} commands. ` +
      "Negative: per section, the test expects a 4yz/5yz reply, -ERR, NO or BAD (or an AUTH that must fail) somewhere; " +
      "per command, such a reply to that command.",
    "",
    "## By RFC section",
    "",
    "| Section | Tests | Positive | Negative | Test ids |",
    "|---|---:|---:|---:|---|",
    ...coverage.sections.map((r) => `| ${r.key} | ${r.tests.length} | ${r.positive} | ${r.negative} | ${ids(r)} |`),
    "",
    "## By command",
    "",
    "| Protocol | Command | Tests | Positive | Negative | Test ids |",
    "|---|---|---:|---:|---:|---|",
    ...coverage.commands.map((r) => `| ${r.protocol} | ${r.command} | ${r.tests.length} | ${r.positive} | ${r.negative} | ${ids(r)} |`),
    "",
  ];
  return lines.join("\n");
}

// Renders the coverage matrix as Markdown: one table per RFC section, one
// per command, each row with its test count, positive/negative split and ids;
// then one row per test with its level and the RFC sentence it quotes.
// Standards: none (report format).

import type { Coverage, CoverageRow } from "./matrix.ts";

/** Marks a test that does not yet quote the sentence it relies on. */
export const NO_QUOTE = "(no quote)";

function ids(row: CoverageRow): string {
  return row.tests.map((id) => `\`${id}\``).join(", ");
}

/** A table cell's text: a pipe would end the cell, and `<CRLF>` in an RFC sentence would read as an HTML tag. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/&/g, "&amp;").replace(/</g, "&lt;");
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
    "## By test: level and the RFC's words",
    "",
    `${coverage.requirements.length - coverage.unquoted} of ${coverage.requirements.length} tests quote the sentence their level comes from; ` +
      `the others are marked ${NO_QUOTE}.`,
    "",
    "| Test | Level | Refs | Quote |",
    "|---|---|---|---|",
    ...coverage.requirements.map(
      (r) => `| \`${r.id}\` | ${r.level} | ${cell(r.refs.join(", "))} | ${r.quote === undefined ? NO_QUOTE : r.quote.map((q) => `"${cell(q)}"`).join("<br>")} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

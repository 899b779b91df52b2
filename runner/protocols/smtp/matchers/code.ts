// The `code` matcher: exact ("250"), class ("2xx"), digit wildcards ("25x"),
// or a list of those; any one matching is enough.
// Standards: RFC 5321 §4.2.1 (the three digits and what each position means).

import type { CodeMatch } from "../../../model/ast.ts";

/** "25x" matches "250".."259"; "x" stands for any digit, case-insensitively. */
export function codeMatches(code: string, pattern: string): boolean {
  if (pattern.length !== 3 || code.length !== 3) return false;
  for (let i = 0; i < 3; i++) {
    const p = pattern[i]!;
    if (p !== "x" && p !== "X" && p !== code[i]) return false;
  }
  return true;
}

export function anyCodeMatches(code: string, patterns: CodeMatch): boolean {
  if (patterns.length === 0) return true;
  // A loop, not some(closure): this runs for every SMTP reply.
  for (const p of patterns) if (codeMatches(code, String(p))) return true;
  return false;
}

export function describeCodes(patterns: CodeMatch): string {
  return patterns.map(String).join(" or ");
}

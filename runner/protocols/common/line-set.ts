// The `lines: { includes, excludes }` matcher shared by SMTP (EHLO keywords)
// and POP3 (CAPA tags): each entry names a line by its first word,
// case-insensitively; extra words in an entry must appear among the line's
// parameters ("AUTH PLAIN" matches "AUTH LOGIN PLAIN").
// Standards: RFC 5321 §4.1.1.1 (ehlo-keyword), RFC 2449 §5 (capa-tag), both case-insensitive.

function words(text: string): string[] {
  return text.trim().split(/\s+/).filter((w) => w.length > 0).map((w) => w.toUpperCase());
}

function lineHas(line: string, entry: string): boolean {
  const [keyword, ...params] = words(line);
  const [wantedKeyword, ...wantedParams] = words(entry);
  if (keyword === undefined || keyword !== wantedKeyword) return false;
  return wantedParams.every((p) => params.includes(p));
}

/** null when the lines satisfy the set, else what is wrong. */
export function checkLineSet(lines: readonly string[], set: { includes: readonly string[]; excludes: readonly string[] }): { message: string; expected: string } | null {
  const missing = set.includes.filter((entry) => !lines.some((line) => lineHas(line, entry)));
  const present = set.excludes.filter((entry) => lines.some((line) => lineHas(line, entry)));
  if (missing.length === 0 && present.length === 0) return null;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${missing.join(", ")}`);
  if (present.length > 0) parts.push(`unexpected ${present.join(", ")}`);
  const expected = [
    ...set.includes.map((e) => `includes ${e}`),
    ...set.excludes.map((e) => `excludes ${e}`),
  ].join("; ");
  return { message: `line set: ${parts.join("; ")}`, expected };
}

/** Keyword set of lines: first word upper-cased. */
export function firstWords(lines: readonly string[]): string[] {
  return lines.map((line) => words(line)[0]).filter((w): w is string => w !== undefined);
}

// Load-time check of the IMAP patterns suites write for untagged responses
// and response codes: balanced parentheses, brackets and quotes, and the
// `$name` / `$_` placeholders and the trailing `...`. Matching itself belongs to the IMAP
// matcher in runner/protocols/imap/; this only rejects what could never match.
// Standards: RFC 3501 §4 (data formats), §7 (responses); RFC 9051 §4, §7.

export interface PatternProblem {
  /** Index into the pattern. */
  offset: number;
  message: string;
}

export interface PatternCheck {
  /** `$name` placeholders in order of first use: captured on first sight, compared after. */
  names: string[];
  problem?: PatternProblem;
}

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const DELIMITER = /[\s()[\]]/;

/**
 * `untagged`: a whole response line, starting "* ". `code`: the inside of a
 * response code, written without its brackets ("UIDVALIDITY $uv").
 */
export function checkImapPattern(pattern: string, kind: "untagged" | "code"): PatternCheck {
  const names: string[] = [];
  const fail = (offset: number, message: string): PatternCheck => ({ names, problem: { offset, message } });
  if (kind === "untagged" && !pattern.startsWith("* ")) {
    return fail(0, `an untagged pattern starts with '* ', e.g. "* 1 EXISTS" (quote it: a plain '*' is a YAML alias)`);
  }
  if (kind === "code" && pattern.startsWith("[")) return fail(0, "write the response code without its brackets, e.g. READ-WRITE");
  const open: { char: string; offset: number }[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const tokenStart = i === 0 || DELIMITER.test(pattern[i - 1]!);
    if (c === "$") {
      const next = pattern[i + 1];
      if (next === "{") {
        // ${var}: interpolated before matching; its syntax is checked as a template.
        const close = pattern.indexOf("}", i);
        i = close < 0 ? pattern.length : close + 1;
        continue;
      }
      if (next === "$") {
        i += pattern[i + 2] === "{" ? 3 : 2;
        continue;
      }
      if (tokenStart) {
        let j = i + 1;
        if (next === undefined || !NAME_START.test(next)) return fail(i, "'$' starts a placeholder ($name, or $_ for any value); write '$$' for a literal '$'");
        while (j < pattern.length && NAME_CHAR.test(pattern[j]!)) j++;
        if (j < pattern.length && !DELIMITER.test(pattern[j]!)) return fail(i, "a placeholder is a whole token: end it with a space, ')' or ']'");
        const name = pattern.slice(i + 1, j);
        if (name !== "_" && !names.includes(name)) names.push(name);
        i = j;
        continue;
      }
    }
    if (tokenStart && pattern.startsWith("...", i) && (i + 3 === pattern.length || DELIMITER.test(pattern[i + 3]!))) {
      // The matcher reads "..." as "more items may follow": only the last item of a line or list.
      if (!/^\s*(?:[)\]]|$)/.test(pattern.slice(i + 3))) return fail(i, "'...' allows extra items at the end only: put it last in the line or list");
      i += 3;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      while (j < pattern.length && pattern[j] !== '"') j += pattern[j] === "\\" ? 2 : 1;
      if (j >= pattern.length) return fail(i, "quoted string is not closed");
      i = j + 1;
      continue;
    }
    if (c === "(" || c === "[") open.push({ char: c, offset: i });
    if (c === ")" || c === "]") {
      const expected = c === ")" ? "(" : "[";
      const top = open.pop();
      if (top === undefined || top.char !== expected) return fail(i, `'${c}' does not close anything here`);
    }
    i++;
  }
  const unclosed = open.pop();
  if (unclosed !== undefined) return fail(unclosed.offset, `'${unclosed.char}' is not closed`);
  return { names };
}

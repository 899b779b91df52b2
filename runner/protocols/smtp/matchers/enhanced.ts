// The `enhanced` matcher: the enhanced status code that opens the reply's
// first line text, compared part by part ("5.x.x" allows any subject/detail).
// Standards: RFC 3463 §2 (class.subject.detail), RFC 2034 §4 (it starts the text of each line).

/** status-code = class "." subject "." detail */
const ENHANCED_CODE = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/;

/** The enhanced code at the start of `text`, or undefined. */
export function enhancedCodeOf(text: string): string | undefined {
  const match = ENHANCED_CODE.exec(text);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : undefined;
}

export function enhancedMatches(actual: string, pattern: string): boolean {
  const want = pattern.split(".");
  const got = actual.split(".");
  if (want.length !== 3) return false;
  return want.every((part, i) => part === "x" || part === "X" || Number(part) === Number(got[i]));
}

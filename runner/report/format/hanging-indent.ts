// A labelled value that may span lines (a multi-line reply, the untagged
// responses of an IMAP command) as a hanging indent: every continuation line
// starts under the value's first character, so the block stays readable in
// the console and in the JUnit body, and a line's own leading blanks survive.
// Standards: none (report format).

/** `label` is the text before the value on its first line (`"  actual:   "`). */
export function hangingIndent(label: string, value: string): string {
  return label + value.split(/\r?\n/).join(`\n${" ".repeat(label.length)}`);
}

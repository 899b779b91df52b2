// The loader's check on per-test IMAP mailbox names (`mc-${run.token}…`): they
// start with ${imap.prefix}, since a server whose personal namespace is
// "INBOX." refuses every CREATE at the top level, and no '/' is written into
// them, since the hierarchy delimiter is the server's (${imap.delimiter}).
// Standards: RFC 2342 §5 (personal namespace prefix), RFC 3501 §5.1.1, §6.3.8 (hierarchy delimiter).

import type { Template } from "../model/ast.ts";

/** What a per-test mailbox name starts with; the convention of docs/language.md "Variables". */
const OWN_MAILBOX_HEAD = "mc-";
/** Where a mailbox name written in a command or pattern ends: a quote, a space, a list's paren. */
// ";" ends it too: in an IMAP URL ("/name;UIDVALIDITY=…/;UID=…", RFC 5092 §6) parameters follow the name.
const NAME_END = /["\s();]/;

export interface PlacementProblem {
  /** Index in the template's text the message points at. */
  offset: number;
  length: number;
  message: string;
}

/** Every misplaced per-test mailbox name in an IMAP template, in order. */
export function mailboxPlacementProblems(template: Template): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const { parts } = template;
  parts.forEach((part, i) => {
    if (typeof part === "string" || part.ref !== "run.token") return;
    const before = parts[i - 1];
    if (typeof before !== "string" || !before.endsWith(OWN_MAILBOX_HEAD)) return;
    const head = part.offset - OWN_MAILBOX_HEAD.length;
    const prefixed = before === OWN_MAILBOX_HEAD && typeof parts[i - 2] === "object" && (parts[i - 2] as { ref: string }).ref === "imap.prefix";
    if (!prefixed) {
      problems.push({
        offset: head,
        length: OWN_MAILBOX_HEAD.length + "${run.token}".length,
        message:
          "a per-test mailbox name must start with ${imap.prefix} (write '${imap.prefix}mc-${run.token}…'): " +
          "a server whose personal namespace is \"INBOX.\" refuses mailboxes at the top level (RFC 2342 §5)",
      });
    }
    // The rest of this name: literal parts up to where the name ends.
    let at = part.offset + "${run.token}".length;
    for (const next of parts.slice(i + 1)) {
      if (typeof next !== "string") {
        at = next.offset + next.ref.length + 3;
        continue;
      }
      const end = next.search(NAME_END);
      const slash = next.slice(0, end < 0 ? undefined : end).indexOf("/");
      if (slash >= 0) {
        problems.push({
          offset: at + slash,
          length: 1,
          message: "'/' in a mailbox name assumes the server's hierarchy delimiter; write ${imap.delimiter} (RFC 3501 §6.3.8: each server has its own)",
        });
      }
      if (end >= 0) break;
      at += next.length;
    }
  });
  return problems;
}

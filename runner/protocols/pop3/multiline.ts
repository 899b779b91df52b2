// Which POP3 commands a "+OK" answers with a multiline body up to a lone ".":
// the one statement of the rule, read by the POP3 line classifier (and through
// its facts by runner/stats/) and by the recorder's skeletons.
// Standards: RFC 1939 §5 (LIST and UIDL without an argument, RETR), §7 (TOP, UIDL), RFC 2449 §5 (CAPA).

/** True when a positive reply to `verb args` carries a multiline body; `verb` upper case. */
export function hasMultilineAnswer(verb: string, args: string): boolean {
  if (verb === "RETR" || verb === "TOP" || verb === "CAPA") return true;
  // With a message number, LIST and UIDL answer on the status line alone.
  return (verb === "LIST" || verb === "UIDL") && args.trim() === "";
}

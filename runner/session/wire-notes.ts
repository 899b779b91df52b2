// The text of each typed runner note (`*` line): one wording per kind, so the
// transcript people read stays as it was while tools read the note's fields.
// Golden files pin these sentences.
// Standards: none (report format).

import type { WireNote } from "../model/result.ts";

export function noteText(note: WireNote): string {
  switch (note.kind) {
    case "connect":
      // Port 0: the host is a Unix-domain socket path.
      return `connecting to ${note.port === 0 ? note.host : `${note.host}:${note.port}`} (${note.protocol}, tls ${note.tls})`;
    case "tls-established":
      return `TLS established: ${note.version} ${note.cipher}`.trimEnd();
    case "compression":
      return `${note.algorithm} compression active: lines below are shown decompressed`;
    case "literal":
      return `literal of ${note.octets} octets:`;
    case "closed":
      return `connection closed by ${note.by}`;
    case "unread":
      return `${note.octets} octets received but not read by any step`;
    case "transcript-limit":
      return "transcript limit reached: later lines are summarised";
    case "omitted":
      return `… ${note.lines} lines omitted${omittedDetail(note)} …`;
  }
}

/** "(1048576 octets)", and why the caps were small: a run past its transcript budget keeps little of each later test. */
function omittedDetail(note: Extract<WireNote, { kind: "omitted" }>): string {
  const parts = [...(note.octets !== undefined ? [`${note.octets} octets`] : []), ...(note.runBudget ? ["the run's transcript budget is spent"] : [])];
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

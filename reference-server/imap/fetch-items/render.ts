// One message's FETCH response data: each requested item as name and value,
// built as ImapValues so the writer alone decides quoting and literals.
// Standards: RFC 3501 §7.4.2 (FETCH response), §6.4.5 (partial: "<start>" in the name, an
// empty string past the end), RFC 4315 (UID FETCH always returns UID).

import { formatDateTime } from "../grammar/dates.ts";
import type { MailboxView, ViewMessage } from "../mailbox/view.ts";
import { atom, str, type ImapValue } from "../value.ts";
import type { MessageView } from "./message-view.ts";
import type { FetchItem } from "./parse.ts";

export async function renderFetch(view: MailboxView, m: ViewMessage, items: readonly FetchItem[], message: MessageView | null): Promise<ImapValue[]> {
  const out: ImapValue[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.kind === "section" ? item.responseName : item.kind;
    if (seen.has(key)) continue;
    seen.add(key);
    switch (item.kind) {
      case "UID":
        out.push(atom("UID"), m.uid);
        break;
      case "FLAGS":
        out.push(atom("FLAGS"), view.flagsOf(m).map(atom));
        break;
      case "INTERNALDATE":
        out.push(atom("INTERNALDATE"), str(formatDateTime(m.internalDate)));
        break;
      case "RFC822.SIZE":
        out.push(atom("RFC822.SIZE"), m.size);
        break;
      case "ENVELOPE":
        out.push(atom("ENVELOPE"), await message!.envelope());
        break;
      case "BODY":
        out.push(atom("BODY"), await message!.bodyStructure(false));
        break;
      case "BODYSTRUCTURE":
        out.push(atom("BODYSTRUCTURE"), await message!.bodyStructure(true));
        break;
      case "section": {
        let bytes = (await message!.section(item.spec)) ?? Buffer.alloc(0);
        if (item.partial) {
          const { start, length } = item.partial;
          bytes = start >= bytes.length ? Buffer.alloc(0) : bytes.subarray(start, start + length);
        }
        out.push(atom(item.responseName), str(bytes));
        break;
      }
    }
  }
  return out;
}

// One message's FETCH response data: each requested item as name and value,
// built as ImapValues so the writer alone decides quoting and literals.
// Standards: RFC 3501 §7.4.2 (FETCH response), §6.4.5 (partial: "<start>" in the name, an
// empty string past the end), RFC 4315 (UID FETCH always returns UID), RFC 3516 §4.3 (BINARY, BINARY.SIZE),
// RFC 8474 §5.3 (EMAILID, THREADID).

import { formatDateTime } from "../grammar/dates.ts";
import type { MailboxView, ViewMessage } from "../mailbox/view.ts";
import { atom, binary, str, type ImapValue } from "../value.ts";
import { Refusal } from "../vocabulary.ts";
import { emailObjectId } from "../../store/object-ids.ts";
import type { MessageView } from "./message-view.ts";
import type { FetchItem } from "./parse.ts";

export async function renderFetch(view: MailboxView, m: ViewMessage, items: readonly FetchItem[], message: MessageView | null): Promise<ImapValue[]> {
  const out: ImapValue[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.kind === "section" || item.kind === "binary" || item.kind === "binary-size" ? item.responseName : item.kind;
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
      case "MODSEQ":
        // RFC 7162 §3.1.4.2: MODSEQ (permsg-modsequence)
        out.push(atom("MODSEQ"), [m.modseq]);
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
      case "EMAILID":
        out.push(atom("EMAILID"), [atom(emailObjectId(message!.raw))]);
        break;
      case "THREADID":
        // RFC 8474 §5.2: a server that does not thread "MUST return NIL to all FETCH responses for the THREADID data item".
        out.push(atom("THREADID"), null);
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
      case "binary":
      case "binary-size": {
        let bytes = await decoded(message!, item.part);
        if (item.kind === "binary-size") {
          out.push(atom(item.responseName), bytes.length);
          break;
        }
        if (item.partial) {
          const { start, length } = item.partial;
          bytes = start >= bytes.length ? Buffer.alloc(0) : bytes.subarray(start, start + length);
        }
        out.push(atom(item.responseName), binary(bytes));
        break;
      }
    }
  }
  return out;
}

/**
 * BINARY's octets. A part that does not exist reads as empty, as BODY[] does; one whose encoding this
 * server cannot undo fails the command: RFC 3516 §4.2.1 "If the server does not know how to decode the
 * section's Content-Transfer-Encoding, it MUST fail the request and issue a "NO" response that contains
 * the "UNKNOWN-CTE" extended response code."
 */
async function decoded(message: MessageView, part: readonly number[]): Promise<Buffer> {
  const result = await message.decodedSection(part);
  if (result === null) return Buffer.alloc(0);
  if ("unknownEncoding" in result) throw new Refusal("UNKNOWN-CTE", `cannot decode the content transfer encoding ${result.unknownEncoding.slice(0, 40)}`);
  return result.bytes;
}

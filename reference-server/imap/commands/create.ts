// CREATE mailbox [(USE (attributes))]: a trailing delimiter only declares
// intent to hold inferiors; missing superiors are created too, by the store in
// one step that checks the whole name first, so a refused name leaves no
// superiors behind. INBOX always exists. A USE list gives the new mailbox
// special-use attributes; one this server cannot keep (the virtual \All and
// \Flagged, or any it does not know) refuses the CREATE with NO [USEATTR]
// before anything is made, and a failure to store them removes the mailbox
// again. The OK carries the new mailbox's MAILBOXID.
// Standards: RFC 3501 §6.3.3, RFC 4466 §2.2 (create-param), RFC 6154 §3 (USE, USEATTR), RFC 8474 §4.1.

import type { CommandRow } from "../../core/command-table.ts";
import type { HierarchyDelimiter } from "../../store/names.ts";
import { storeSpecialUse } from "../../store/special-use-attrs.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { delimiter, folders } from "../mailbox/folders.ts";
import { mailboxId } from "../mailbox/mailbox-id.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal } from "../vocabulary.ts";

/** The RFC 6154 §2 attributes a real (not virtual) mailbox can carry here. */
const ASSIGNABLE = new Map(["\\ARCHIVE", "\\DRAFTS", "\\JUNK", "\\SENT", "\\TRASH"].map((a) => [a, a[0] + a[1] + a.slice(2).toLowerCase()]));

export const create: CommandRow<ImapSession, ImapState> = {
  verb: "CREATE",
  states: AUTHENTICATED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    let name = r.mailbox();
    const use = r.accept(" ") ? readCreateParams(r) : [];
    r.end();
    const d = delimiter(s);
    if (name.endsWith(d) && name.length > d.length) name = name.slice(0, -d.length);
    if (name === "INBOX") throw new Refusal("ALREADYEXISTS", "INBOX always exists");
    // RFC 6154 §3: "If the server cannot create a mailbox with the designated special use defined, for whatever
    // reason, it MUST NOT create the mailbox" — so every attribute is checked before anything is made.
    const attributes = use.map((a) => ASSIGNABLE.get(a.toUpperCase()) ?? a);
    const unknown = attributes.find((a) => !ASSIGNABLE.has(a.toUpperCase()));
    if (unknown !== undefined) throw new Refusal("USEATTR", `${unknown.slice(0, 40)} cannot be given to a mailbox here`);
    const f = folders(s);
    await viaStore(s, () => f.createMailbox(s.user!, name, { superiors: true }));
    if (attributes.length > 0) {
      try {
        await storeSpecialUse(f.root, s.user!, name, f.hierarchyDelimiter as HierarchyDelimiter, attributes);
      } catch (error) {
        await f.deleteMailbox(s.user!, name).catch(() => undefined);
        throw error;
      }
    }
    // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
    const id = await mailboxId(s, name);
    await complete(s, command, "create completed", id === null ? null : `MAILBOXID (${id})`);
  },
};

/** "(" create-param *(SP create-param) ")", where the only parameter known is USE "(" [use-attr *(SP use-attr)] ")". */
function readCreateParams(r: ArgReader): string[] {
  r.expect("(", "a list of CREATE parameters");
  const use: string[] = [];
  for (;;) {
    const param = r.atom("a CREATE parameter").toUpperCase();
    if (param !== "USE") syntax(`unknown CREATE parameter ${param.slice(0, 30)}`);
    r.sp();
    r.expect("(", "a list of special-use attributes");
    if (!r.accept(")")) {
      for (;;) {
        r.expect("\\", "a special-use attribute");
        use.push("\\" + r.atom("a special-use attribute"));
        if (r.accept(")")) break;
        r.sp();
      }
    }
    if (r.accept(")")) return use;
    r.sp();
  }
}

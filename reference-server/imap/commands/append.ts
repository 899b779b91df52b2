// APPEND mailbox [flags] [date-time] literal: the message is stored durably
// before the OK, which carries APPENDUID. The literal was read whole by the
// command reader (its size checked against APPENDLIMIT before the "+"), so a
// client that disconnects mid-literal leaves nothing behind. The mailbox keeps
// its name from the lookup to the UID (a RENAME by another session waits), so
// NO always means nothing was stored.
// Standards: RFC 3501 §6.3.11, RFC 4315 §3 (APPENDUID), RFC 7889 (APPENDLIMIT), RFC 7888.

import type { CommandRow } from "../../core/command-table.ts";
import { readDateTime } from "../grammar/dates.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax } from "../grammar/reader.ts";
import { viaStore } from "../mailbox/store-errors.ts";
import { AUTHENTICATED, type ImapSession, type ImapState } from "../states.ts";
import { complete, Refusal } from "../vocabulary.ts";

export const append: CommandRow<ImapSession, ImapState> = {
  verb: "APPEND",
  states: AUTHENTICATED,
  flags: { redactArgs: true },
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const name = r.mailbox();
    r.sp();
    let flags: string[] = [];
    let date: Date | undefined;
    if (r.peek() === 0x28) {
      flags = r.flagList();
      r.sp();
    }
    if (r.peek() === 0x22) {
      date = readDateTime(r);
      r.sp();
    }
    if (r.peek() !== 0x7b) syntax("expected the message as a literal");
    const message = r.literal();
    r.end();
    if (message.length === 0) throw new Refusal(null, "an empty message cannot be appended");
    const { store } = s.context;
    const { uidValidity, uids } = await store.withStableNames(s.user!, async () => {
      const mailbox = await viaStore(s, () => store.mailbox(s.user!, name), { tryCreate: true });
      return viaStore(s, () => mailbox.appendAll([{ bytes: message, flags, ...(date ? { internalDate: date } : {}) }]));
    });
    await complete(s, command, "append completed", `APPENDUID ${uidValidity} ${uids[0]}`);
  },
};

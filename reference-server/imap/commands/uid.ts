// UID FETCH / STORE / COPY / MOVE / SEARCH / EXPUNGE: the same commands with
// UIDs in place of message numbers.
// Standards: RFC 3501 §6.4.8, RFC 4315 §2.1, RFC 6851 §3.2, RFC 5256 §3 (UID SORT, UID THREAD).

import type { CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax } from "../grammar/reader.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { complete } from "../vocabulary.ts";
import { copyMessages } from "./copy.ts";
import { runExpunge } from "./expunge.ts";
import { runFetch } from "./fetch.ts";
import { runMove } from "./move.ts";
import { runSearch } from "./search.ts";
import { runSort } from "./sort.ts";
import { runStore } from "./store.ts";
import { runThread } from "./thread.ts";

export const uid: CommandRow<ImapSession, ImapState> = {
  verb: "UID",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    const sub = r.atom("FETCH, STORE, COPY, MOVE, SEARCH, SORT, THREAD or EXPUNGE").toUpperCase();
    r.sp();
    switch (sub) {
      case "FETCH":
        return runFetch(s, command, r, true);
      case "STORE":
        return runStore(s, command, r, true);
      case "SEARCH":
        return runSearch(s, command, r, true);
      case "SORT":
        return runSort(s, command, r, true);
      case "THREAD":
        return runThread(s, command, r, true);
      case "COPY": {
        const result = await copyMessages(s, r, true);
        return complete(s, command, "copy completed", result.code);
      }
      case "MOVE":
        return runMove(s, command, r, true);
      case "EXPUNGE":
        return runExpunge(s, command, r);
      default:
        syntax(`UID ${sub.slice(0, 20)} is not a UID command`);
    }
  },
};

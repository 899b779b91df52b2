// THREAD (and UID THREAD): SEARCH whose result comes back as threads, by
// ORDEREDSUBJECT or REFERENCES, in one untagged THREAD response.
// Standards: RFC 5256 BASE.6.4.THREAD, BASE.7.2.THREAD, §5 (thread ABNF).

import type { Command, CommandRow } from "../../core/command-table.ts";
import { argsOf } from "../grammar/command-args.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { checkCharset, readSearchKeys } from "../search-keys/parse.ts";
import { SELECTED, type ImapSession, type ImapState } from "../states.ts";
import { orderedSubject } from "../thread/ordered-subject.ts";
import { referencesThreads } from "../thread/references.ts";
import { threadResponse } from "../thread/tree.ts";
import { complete, untagged } from "../vocabulary.ts";
import { findMatches, searchContext } from "./search.ts";
import { sortables } from "./sort.ts";

/** The algorithms this server advertises as THREAD=<name>. */
export const THREAD_ALGORITHMS = { ORDEREDSUBJECT: orderedSubject, REFERENCES: referencesThreads } as const;

export const thread: CommandRow<ImapSession, ImapState> = {
  verb: "THREAD",
  states: SELECTED,
  async handle(s, command) {
    const r = argsOf(command);
    r.sp();
    await runThread(s, command, r, false);
  },
};

/** thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria — `r` after "THREAD" SP. */
export async function runThread(s: ImapSession, command: Command, r: ArgReader, byUid: boolean): Promise<void> {
  const view = s.view!;
  const name = r.atom("a threading algorithm").toUpperCase();
  const algorithm = THREAD_ALGORITHMS[name as keyof typeof THREAD_ALGORITHMS];
  if (algorithm === undefined) syntax(`unknown threading algorithm ${name.slice(0, 30)}`);
  r.sp();
  checkCharset(r.astringText("a charset"));
  r.sp();
  const key = readSearchKeys(r, searchContext(view));
  const roots = algorithm(await sortables(s, view, await findMatches(s, view, key)));
  untagged(s, threadResponse(roots, (m) => (byUid ? view.messages[m.position]!.uid : m.position + 1)));
  await complete(s, command, "thread completed");
}

// Store exceptions as IMAP answers: a missing mailbox is NO [NONEXISTENT]
// (or [TRYCREATE] for a COPY/APPEND target), an existing one NO
// [ALREADYEXISTS], a refused name or flag NO [CANNOT]; a full disk NO
// [OVERQUOTA] and a failing one NO [SERVERBUG] (as Dovecot answers); anything
// else is store trouble a retry may cure (NO [UNAVAILABLE]).
// Standards: RFC 5530 §3, RFC 3501 §6.4.7 and §6.3.11 ([TRYCREATE]).

import { isMailError, TempFailure } from "../../core/errors.ts";
import { diskFaultOf } from "../../store/disk-faults.ts";
import { OverQuota } from "../../store/quota.ts";
import { InvalidFlag, InvalidName, MailboxExists, MailboxNotFound } from "../../store/types.ts";
import type { SessionBase } from "../../core/session.ts";
import { Refusal } from "../responses.ts";

export function storeFailure(s: SessionBase, error: unknown, options: { tryCreate?: boolean } = {}): Error {
  if (isMailError(error)) return error;
  if (error instanceof MailboxNotFound) return new Refusal(options.tryCreate ? "TRYCREATE" : "NONEXISTENT", "no such mailbox");
  if (error instanceof MailboxExists) return new Refusal("ALREADYEXISTS", "mailbox already exists");
  if (error instanceof InvalidName) return new Refusal("CANNOT", error.message);
  if (error instanceof InvalidFlag) return new Refusal("CANNOT", error.message);
  // RFC 9208 §4.3.1: OVERQUOTA in the tagged NO of an APPEND/COPY/MOVE that would exceed a limit.
  if (error instanceof OverQuota) return new Refusal("OVERQUOTA", `${error.message}; nothing was stored`);
  s.context.log?.(`${s.conn.id} store error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const fault = diskFaultOf(error);
  if (fault === "full") return new Refusal("OVERQUOTA", "not enough disk space");
  if (fault === "failed") return new Refusal("SERVERBUG", "internal error in the mail store, see the server log");
  return new TempFailure("mail store unavailable, try again", { cause: error });
}

/** Runs a store call, turning its exceptions into IMAP answers. */
export async function viaStore<T>(s: SessionBase, call: () => Promise<T>, options?: { tryCreate?: boolean }): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storeFailure(s, error, options);
  }
}

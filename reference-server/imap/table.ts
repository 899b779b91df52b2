// The IMAP command table: one row per verb, each defined in commands/.
// Standards: RFC 3501 §6, RFC 2177, 2342, 2971, 3691, 4315, 4978, 5161, 5256, 6851, 9208.

import { commandTable } from "../core/command-table.ts";
import { append } from "./commands/append.ts";
import { authenticate } from "./commands/authenticate.ts";
import { capability } from "./commands/capability.ts";
import { check } from "./commands/check.ts";
import { close } from "./commands/close.ts";
import { compress } from "./commands/compress.ts";
import { copy } from "./commands/copy.ts";
import { create } from "./commands/create.ts";
import { del } from "./commands/delete.ts";
import { enable } from "./commands/enable.ts";
import { examine } from "./commands/examine.ts";
import { expunge } from "./commands/expunge.ts";
import { fetch } from "./commands/fetch.ts";
import { id } from "./commands/id.ts";
import { idle } from "./commands/idle.ts";
import { getquota, getquotaroot, setquota } from "./commands/quota.ts";
import { list } from "./commands/list.ts";
import { login } from "./commands/login.ts";
import { logout } from "./commands/logout.ts";
import { lsub } from "./commands/lsub.ts";
import { move } from "./commands/move.ts";
import { namespace } from "./commands/namespace.ts";
import { noop } from "./commands/noop.ts";
import { rename } from "./commands/rename.ts";
import { search } from "./commands/search.ts";
import { select } from "./commands/select.ts";
import { sort } from "./commands/sort.ts";
import { starttls } from "./commands/starttls.ts";
import { status } from "./commands/status.ts";
import { store } from "./commands/store.ts";
import { subscribe } from "./commands/subscribe.ts";
import { thread } from "./commands/thread.ts";
import { uid } from "./commands/uid.ts";
import { unselect } from "./commands/unselect.ts";
import { unsubscribe } from "./commands/unsubscribe.ts";
import type { ImapSession } from "./states.ts";

export const imapCommands = commandTable<ImapSession>([
  capability, noop, logout, id,
  starttls, authenticate, login,
  select, examine, create, del, rename, subscribe, unsubscribe, list, lsub, status, append, namespace, enable, idle,
  getquotaroot, getquota, setquota, compress,
  check, close, unselect, expunge, search, sort, thread, fetch, store, copy, move, uid,
]);

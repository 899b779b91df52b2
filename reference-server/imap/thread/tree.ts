// The thread tree both algorithms build, and its THREAD response form: each
// thread a parenthesised list, a chain of single children written in one
// list, a split into two or more sub-threads nested, and a dummy (a parent
// that was not searched or does not exist) written as the bare list of its children.
// Standards: RFC 5256 BASE.7.2.THREAD, §5 (thread-list, thread-members, thread-nested).

import type { Sortable } from "../sort/criteria.ts";

export interface ThreadNode {
  /** The message; null for a dummy. */
  message: Sortable | null;
  parent: ThreadNode | null;
  children: ThreadNode[];
}

export function node(message: Sortable | null): ThreadNode {
  return { message, parent: null, children: [] };
}

/** Sent date, then mailbox order (RFC 5256 §2.2); a dummy counts as its first child. */
export function compareNodes(a: ThreadNode, b: ThreadNode): number {
  const x = representative(a);
  const y = representative(b);
  if (x === null || y === null) return x === null ? (y === null ? 0 : -1) : 1;
  return x.fields.sentDate - y.fields.sentDate || x.position - y.position;
}

function representative(n: ThreadNode): Sortable | null {
  let at: ThreadNode | undefined = n;
  while (at !== undefined && at.message === null) at = at.children[0];
  return at?.message ?? null;
}

/** thread-data = "THREAD" [SP 1*thread-list], ids from `id` (message number or UID). */
export function threadResponse(roots: readonly ThreadNode[], id: (m: Sortable) => number): string {
  const list = (n: ThreadNode): string => `(${members(n)})`;
  const members = (n: ThreadNode): string => {
    // thread-list = "(" (thread-members / thread-nested) ")": a dummy has only its sub-threads.
    if (n.message === null) return n.children.map(list).join("");
    let text = String(id(n.message));
    let at = n;
    while (at.children.length === 1 && at.children[0]!.message !== null) {
      at = at.children[0]!;
      text += ` ${id(at.message!)}`;
    }
    // thread-nested = 2*thread-list
    if (at.children.length > 0) text += ` ${at.children.map(list).join("")}`;
    return text;
  };
  return roots.length === 0 ? "THREAD" : `THREAD ${roots.map(list).join("")}`;
}

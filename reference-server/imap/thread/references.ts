// REFERENCES threading: parent/child links from each message's references
// (dummies for ids no searched message has), dummies pruned, the top level
// ordered by sent date, threads with the same base subject merged, and every
// set of siblings ordered by sent date, deepest first — the six steps of the RFC in order.
// Standards: RFC 5256 BASE.6.4.THREAD REFERENCES, §2.1 (base subject), §2.2 (sent date).

import type { Sortable } from "../sort/criteria.ts";
import { compareNodes, node, type ThreadNode } from "./tree.ts";

export function referencesThreads(messages: readonly Sortable[]): ThreadNode[] {
  // (1) Link messages by their references. Messages come in mailbox order, so a duplicate
  // Message-ID stays with the lowest sequence number; the others get unique ids (no entry).
  const byId = new Map<string, ThreadNode>();
  const all: ThreadNode[] = [];
  const container = (id: string): ThreadNode => {
    let c = byId.get(id);
    if (!c) {
      byId.set(id, (c = node(null)));
      all.push(c);
    }
    return c;
  };
  for (const m of messages) {
    const id = m.fields.messageId;
    let current: ThreadNode;
    const existing = id === null ? undefined : byId.get(id);
    if (existing !== undefined && existing.message === null) {
      existing.message = m;
      current = existing;
    } else {
      current = node(m);
      all.push(current);
      if (id !== null && existing === undefined) byId.set(id, current);
    }
    // (1.A) Each reference the parent of the next, unless it already has one or a loop would form.
    const refs = m.fields.references.map(container);
    for (let i = 0; i + 1 < refs.length; i++) {
      const parent = refs[i]!;
      const child = refs[i + 1]!;
      if (child.parent === null && !wouldLoop(parent, child)) link(parent, child);
    }
    // (1.B) The last reference is the parent, replacing any link made before.
    const last = refs[refs.length - 1];
    if (current.parent !== null) unlink(current);
    if (last !== undefined && !wouldLoop(last, current)) link(last, current);
  }
  // (2) Every node without a parent hangs under the root.
  // (3) Prune dummies: childless ones go, others give their children to their own level
  // (to the top level only when there is one child).
  let roots = prune(all.filter((c) => c.parent === null), true);
  // (4) The top level by sent date; a dummy by its first child, once its children are in order.
  for (const r of roots) if (r.message === null) r.children.sort(compareNodes);
  roots.sort(compareNodes);
  // (5) Gather threads with the same base subject.
  roots = mergeSubjects(roots);
  // (6) Every set of siblings by sent date, children before their parents.
  const order = (nodes: ThreadNode[]): void => {
    for (const n of nodes) order(n.children);
    nodes.sort(compareNodes);
  };
  order(roots);
  return roots;
}

function link(parent: ThreadNode, child: ThreadNode): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: ThreadNode): void {
  const siblings = child.parent!.children;
  siblings.splice(siblings.indexOf(child), 1);
  child.parent = null;
}

/** Making `parent` the parent of `child` would close a loop: `parent` is `child` or below it. */
function wouldLoop(parent: ThreadNode, child: ThreadNode): boolean {
  for (let at: ThreadNode | null = parent; at !== null; at = at.parent) if (at === child) return true;
  return false;
}

function prune(nodes: readonly ThreadNode[], top: boolean): ThreadNode[] {
  const kept: ThreadNode[] = [];
  for (const n of nodes) {
    n.children = prune(n.children, false);
    for (const c of n.children) c.parent = n;
    if (n.message !== null) kept.push(n);
    else if (n.children.length === 0) continue;
    else if (!top || n.children.length === 1) kept.push(...n.children);
    else kept.push(n);
  }
  if (top) for (const n of kept) n.parent = null;
  return kept;
}

/** The thread subject: the base subject of the message, or of a dummy's first child. */
function threadSubject(n: ThreadNode): string {
  const m = n.message ?? n.children[0]!.message!;
  return m.fields.subject.toString("latin1");
}

function isReply(n: ThreadNode): boolean {
  return n.message !== null && n.message.fields.replyOrForward;
}

function mergeSubjects(roots: ThreadNode[]): ThreadNode[] {
  // (5.B) One thread per subject: a dummy wins over a message, and a message that is no reply over a reply.
  const table = new Map<string, ThreadNode>();
  for (const r of roots) {
    const key = threadSubject(r);
    if (key === "") continue;
    const held = table.get(key);
    if (held === undefined) table.set(key, r);
    else if (held.message !== null && (r.message === null || (isReply(held) && !isReply(r)))) table.set(key, r);
  }
  // (5.C) Merge every other thread with that subject into the one in the table.
  const result = [...roots];
  const remove = (n: ThreadNode): void => {
    result.splice(result.indexOf(n), 1);
  };
  for (const r of roots) {
    if (!result.includes(r)) continue;
    const key = threadSubject(r);
    if (key === "") continue;
    const held = table.get(key)!;
    if (held === r) continue;
    if (held.message === null && r.message === null) {
      for (const c of r.children) link(held, c);
      r.children = [];
      remove(r);
    } else if (held.message === null) {
      remove(r);
      link(held, r);
    } else if (isReply(r) && !isReply(held)) {
      remove(r);
      link(held, r);
    } else {
      const dummy = node(null);
      result[result.indexOf(held)] = dummy;
      remove(r);
      link(dummy, held);
      link(dummy, r);
      table.set(key, dummy);
    }
  }
  return result;
}

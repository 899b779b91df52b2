// ORDEREDSUBJECT ("poor man's threading"): messages grouped by base subject,
// each group ordered by sent date, the groups by the sent date of their
// first message; the first message of a group is the parent of all others.
// Standards: RFC 5256 BASE.6.4.THREAD ORDEREDSUBJECT.

import type { Sortable } from "../sort/criteria.ts";
import { compareNodes, node, type ThreadNode } from "./tree.ts";

export function orderedSubject(messages: readonly Sortable[]): ThreadNode[] {
  const groups = new Map<string, Sortable[]>();
  for (const m of messages) {
    const key = m.fields.subject.toString("latin1");
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  const roots: ThreadNode[] = [];
  for (const group of groups.values()) {
    const nodes = group.map((m) => node(m)).sort(compareNodes);
    const root = nodes[0]!;
    for (const child of nodes.slice(1)) {
      child.parent = root;
      root.children.push(child);
    }
    roots.push(root);
  }
  return roots.sort(compareNodes);
}

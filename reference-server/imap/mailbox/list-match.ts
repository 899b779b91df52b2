// LIST and LSUB name matching: "*" matches anything, "%" anything but the
// hierarchy delimiter; INBOX matches in any case. Levels that exist only as
// parents of other mailboxes are listed as \Noselect.
// Standards: RFC 3501 §6.3.8 (wildcards, reference + name), §7.2.2, RFC 3348 (\HasChildren).

export function patternMatcher(pattern: string, delimiter: string): (name: string) => boolean {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  let source = "";
  for (const c of pattern) source += c === "*" ? ".*" : c === "%" ? `[^${escape(delimiter)}]*` : escape(c);
  const exact = new RegExp(`^${source}$`, "s");
  // INBOX is case-insensitive (RFC 3501 §5.1): match it, and names under it, in any case.
  const inboxCase = new RegExp(`^${source}$`, "si");
  return (name) => exact.test(name) || ((name === "INBOX" || name.startsWith("INBOX" + delimiter)) && inboxCase.test(name));
}

export interface ListEntry {
  name: string;
  exists: boolean;
  hasChildren: boolean;
  /** Subscribed but not a mailbox (RFC 5258 \NonExistent). */
  nonexistent?: boolean;
}

/** Every existing name plus the parents that exist only as hierarchy, sorted with INBOX first. */
export function hierarchy(names: readonly string[], delimiter: string): ListEntry[] {
  const existing = new Set(names);
  const all = new Set(names);
  for (const name of names) {
    const levels = name.split(delimiter);
    for (let i = 1; i < levels.length; i++) all.add(levels.slice(0, i).join(delimiter));
  }
  const entries = [...all].map((name) => ({
    name,
    exists: existing.has(name),
    hasChildren: [...all].some((other) => other.startsWith(name + delimiter)),
  }));
  return entries.sort((a, b) => (a.name === "INBOX" ? -1 : b.name === "INBOX" ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

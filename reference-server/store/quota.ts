// A user's storage quota: one quota root per user holding every mailbox,
// with two resources — the octets of all stored messages, reported in units
// of 1024 octets (STORAGE), and their number (MESSAGE). Usage is counted from
// the mailboxes themselves, so nothing can drift; a limit of null means the
// resource is not limited. Checks happen before anything is written, so a
// refused APPEND or COPY leaves every mailbox as it was. Two sessions adding
// at the same moment may each pass the check: the limit is a bound per
// command, not a lock (a real server's quota is as soft under races).
// Limits set over IMAP (SETQUOTA) replace the configured ones for that user
// and store until the server stops; they are kept in memory, never on disk,
// so a restart brings back the configuration's limits.
// Standards: RFC 9208 §3.2 (quota roots), §5.1 (STORAGE), §5.2 (MESSAGE), §4.3.1 (OVERQUOTA), §4.1.3 (SETQUOTA).

import type { FolderMailStore, MailStore } from "./types.ts";

export interface QuotaLimits {
  /** Limit of the STORAGE resource, in units of 1024 octets; null = not limited. */
  storageKiB: number | null;
  /** Limit of the MESSAGE resource; null = not limited. */
  messages: number | null;
}

export interface QuotaUsage {
  /** Octets of every stored message of the user. */
  octets: number;
  messages: number;
}

/** One resource as the QUOTA response lists it (RFC 9208 §4.2.1): name, usage, limit. */
export interface QuotaResource {
  name: "STORAGE" | "MESSAGE";
  usage: number;
  limit: number;
}

/** An APPEND or COPY would take a resource over its limit; nothing was stored. */
export class OverQuota extends Error {
  constructor(readonly resource: QuotaResource["name"], readonly usage: number, readonly limit: number) {
    super(`over quota: ${resource} would be ${usage} of ${limit}`);
  }
}

export function hasLimits(limits: QuotaLimits): boolean {
  return limits.storageKiB !== null || limits.messages !== null;
}

/** Sums every mailbox of the user (INBOX alone on a store without folders). */
export async function quotaUsage(store: MailStore, user: string): Promise<QuotaUsage> {
  const folders = store as Partial<FolderMailStore>;
  const names = typeof folders.listMailboxes === "function" ? await folders.listMailboxes(user) : ["INBOX"];
  let octets = 0;
  let messages = 0;
  for (const name of names) {
    const status = await (await store.mailbox(user, name)).status();
    messages += status.messages.length;
    for (const m of status.messages) octets += m.size;
  }
  return { octets, messages };
}

/** The limited resources with their usage; STORAGE usage rounds up to whole units of 1024 octets. */
export function quotaResources(limits: QuotaLimits, usage: QuotaUsage): QuotaResource[] {
  const resources: QuotaResource[] = [];
  if (limits.storageKiB !== null) resources.push({ name: "STORAGE", usage: Math.ceil(usage.octets / 1024), limit: limits.storageKiB });
  if (limits.messages !== null) resources.push({ name: "MESSAGE", usage: usage.messages, limit: limits.messages });
  return resources;
}

/** Throws OverQuota when adding `octets` in `messages` messages would exceed a limit; free when nothing is limited. */
export async function checkQuota(store: MailStore, user: string, limits: QuotaLimits, added: QuotaUsage): Promise<void> {
  if (!hasLimits(limits) || added.messages === 0) return;
  const now = await quotaUsage(store, user);
  const after = quotaResources(limits, { octets: now.octets + added.octets, messages: now.messages + added.messages });
  const over = after.find((r) => r.usage > r.limit);
  if (over) throw new OverQuota(over.name, over.usage, over.limit);
}

/** Limits set with SETQUOTA, per store (so every session and protocol on it sees them) and user. */
const setLimits = new WeakMap<MailStore, Map<string, QuotaLimits>>();

/** The user's limits: those set with SETQUOTA, else the configured ones. */
export function effectiveLimits(store: MailStore, user: string, configured: QuotaLimits): QuotaLimits {
  return setLimits.get(store)?.get(user) ?? configured;
}

/** Replaces the user's limits, every resource at once (RFC 9208 §4.1.3: limits not given are discarded). */
export function setQuotaLimits(store: MailStore, user: string, limits: QuotaLimits): void {
  let byUser = setLimits.get(store);
  if (byUser === undefined) setLimits.set(store, (byUser = new Map()));
  byUser.set(user, { ...limits });
}

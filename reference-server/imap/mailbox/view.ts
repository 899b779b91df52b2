// The selected mailbox as one session sees it: messages in sequence order
// with their UIDs, flags and this session's \Recent, kept in step with the
// store. store.watch() only marks the view stale (and wakes IDLE); the
// differences are computed and sent at the moments a command may carry them,
// so sequence numbers never shift under a client while a FETCH, STORE or
// SEARCH is running (expunged messages stay as ghosts until then).
// Once the session enabled CONDSTORE, flag updates carry MODSEQ (and UID); once
// it enabled QRESYNC, expunges are announced as VANISHED with UIDs.
// Standards: RFC 3501 §5.2, §5.5, §7.2.6 (FLAGS), §7.3.1-7.4.1 (EXISTS, RECENT, EXPUNGE, FETCH), §6.3.1, RFC 2180 §4,
// RFC 7162 §3.1 (MODSEQ in every untagged FETCH once enabled), §3.2.4, §3.2.10.2 (VANISHED instead of EXPUNGE),
// RFC 9051 §7.5.2 and Appendix E items 12 and 21 (after ENABLE IMAP4rev2).

import { MailboxNotFound, type Mailbox, type MailboxStatus, type MessageInfo } from "../../store/types.ts";
import { Fatal } from "../../core/errors.ts";
import type { SessionBase } from "../../core/session.ts";
import { formatUidSet } from "../grammar/sequence-set.ts";
import { untagged } from "../responses.ts";
import { revision2 } from "../revision.ts";
import { takeRecent } from "./recent.ts";
import { storeFailure } from "./store-errors.ts";

export interface ViewMessage {
  uid: number;
  size: number;
  internalDate: Date;
  /** Stored flags (system flags and keywords), without \Recent. */
  flags: string[];
  recent: boolean;
  /** Expunged by another session, not yet announced: a ghost keeps its number. */
  gone: boolean;
  /** RFC 7162 mod-sequence (0 from a store without them). */
  modseq: number;
}

export const SYSTEM_FLAGS = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

// Open views of this process. The store does not announce DELETE or RENAME to
// watchers, so those commands mark the affected views stale here; their next
// update finds the mailbox gone.
const openViews = new Set<MailboxView>();

/** Mark stale every open view of `user` whose mailbox name passes `affected`. */
export function touchViews(user: string, affected: (name: string) => boolean): void {
  for (const view of openViews) if (view.mailbox.user === user && affected(view.name)) view.markStale();
}

export class MailboxView {
  messages: ViewMessage[] = [];
  uidValidity = 0;
  uidNext = 1;
  keywords: string[] = [];
  /** RFC 7162 HIGHESTMODSEQ as this session last heard it. */
  highestModseq = 0;
  /** The session's ENABLEd extensions (RFC 5161), shared: ENABLE may come while a mailbox is selected. */
  enabled: ReadonlySet<string> = new Set();
  private stale = false;
  private unwatch: (() => void) | null = null;
  private wake: (() => void) | null = null;

  private constructor(
    readonly mailbox: Mailbox,
    /** The mailbox name as the client sees it (UTF-8, canonical). */
    readonly name: string,
    readonly readOnly: boolean,
  ) {}

  /** Open a mailbox for SELECT/EXAMINE; the caller writes the responses (selectResponses). */
  static async open(s: SessionBase, mailbox: Mailbox, name: string, readOnly: boolean, enabled?: ReadonlySet<string>): Promise<MailboxView> {
    const view = new MailboxView(mailbox, name, readOnly);
    if (enabled) view.enabled = enabled;
    // Watch first, so nothing that happens between status() and watch() is lost.
    view.unwatch = mailbox.watch(() => view.markStale());
    try {
      const status = await mailbox.status();
      const recent = takeRecent(mailbox, status.messages.map((m) => m.uid), !readOnly);
      view.messages = status.messages.map((m) => toView(m, recent.has(m.uid)));
      view.absorbStatus(status);
    } catch (error) {
      view.close();
      throw storeFailure(s, error);
    }
    view.stale = false;
    openViews.add(view);
    return view;
  }

  close(): void {
    openViews.delete(this);
    this.unwatch?.();
    this.unwatch = null;
    this.wake?.();
  }

  get exists(): number {
    return this.messages.length;
  }

  get recentCount(): number {
    return this.messages.filter((m) => m.recent).length;
  }

  /** UIDs ascending (the view is always in UID order). */
  uids(): number[] {
    return this.messages.map((m) => m.uid);
  }

  /** RFC 7162 §3.1: after a CONDSTORE enabling command, untagged FETCH responses carry MODSEQ. */
  get condstore(): boolean {
    return this.enabled.has("CONDSTORE");
  }

  /** RFC 9051 after ENABLE IMAP4rev2: no \Recent, no RECENT (Appendix E item 12), UID in every unsolicited FETCH (§7.5.2). */
  get rev2(): boolean {
    return revision2(this.enabled);
  }

  /** RFC 7162 §3.2.10.2: after ENABLE QRESYNC, VANISHED replaces EXPUNGE. */
  get qresync(): boolean {
    return this.enabled.has("QRESYNC");
  }

  /** The untagged FETCH that tells of a flag change: with UID and MODSEQ once CONDSTORE is on (RFC 7162 §3.1, §3.2.4). */
  flagUpdate(position: number, m: ViewMessage, options: { uid?: boolean; flags?: boolean } = {}): string {
    const items: string[] = [];
    if (options.uid || this.condstore || this.rev2) items.push(`UID ${m.uid}`);
    if (options.flags !== false) items.push(`FLAGS (${this.flagsOf(m).join(" ")})`);
    if (this.condstore) items.push(`MODSEQ (${m.modseq})`);
    return `${position + 1} FETCH (${items.join(" ")})`;
  }

  /** FLAGS as FETCH reports them: stored flags plus this session's \Recent (deprecated in IMAP4rev2, so left out there). */
  flagsOf(m: ViewMessage): string[] {
    return m.recent && !this.rev2 ? [...m.flags, "\\Recent"] : m.flags;
  }

  /** The flags the mailbox defines (RFC 3501 §7.2.6). */
  definedFlags(): string[] {
    return [...SYSTEM_FLAGS, ...this.keywords];
  }

  markStale(): void {
    this.stale = true;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves at the next change of the mailbox (IDLE), or at once if one is pending. */
  changed(): Promise<void> {
    if (this.stale) return Promise.resolve();
    return new Promise((resolve) => (this.wake = resolve));
  }

  /**
   * Send what changed since the client last heard: EXPUNGE (only when
   * `expunges`), FETCH FLAGS, FLAGS for new keywords, EXISTS and RECENT.
   */
  async deliverUpdates(s: SessionBase, options: { expunges: boolean }): Promise<void> {
    if (!this.stale && !(options.expunges && this.messages.some((m) => m.gone))) return;
    this.stale = false;
    let status: MailboxStatus;
    try {
      status = await this.mailbox.status();
    } catch (error) {
      if (error instanceof MailboxNotFound) {
        // RFC 3501 §7.1.5: BYE when the server must close; the mailbox is gone for good.
        throw new Fatal("internal", "selected mailbox was deleted or renamed by another session");
      }
      throw storeFailure(s, error);
    }
    const current = new Map<number, MessageInfo>();
    for (const m of status.messages) current.set(m.uid, m);

    const vanished: number[] = [];
    // Highest position first, so each EXPUNGE's number is still right when the client applies it (RFC 3501 §7.4.1);
    // the list is then filtered once (a splice per message made a mass expunge quadratic).
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (current.has(m.uid)) continue;
      if (options.expunges) {
        if (this.qresync) vanished.push(m.uid);
        else untagged(s, `${i + 1} EXPUNGE`);
      } else {
        m.gone = true;
      }
    }
    if (options.expunges && (vanished.length > 0 || this.messages.length !== current.size)) {
      this.messages = this.messages.filter((m) => current.has(m.uid));
    }
    if (vanished.length > 0) untagged(s, `VANISHED ${formatUidSet(vanished.reverse())}`);
    if (!options.expunges && this.messages.some((m) => m.gone)) this.stale = true;

    if (status.keywords && status.keywords.join(" ") !== this.keywords.join(" ")) {
      const grown = status.keywords.some((k) => !this.keywords.includes(k));
      this.keywords = [...status.keywords];
      if (grown) this.sendDefinedFlags(s);
    }

    this.messages.forEach((m, i) => {
      const now = current.get(m.uid);
      if (now === undefined) return;
      // A mod-sequence that moved with the same flags (set and cleared again) is news to a CONDSTORE client too.
      const modseqMoved = this.condstore && (now.modseq ?? 0) !== m.modseq;
      if (sameFlags(now.flags, m.flags) && !modseqMoved) return;
      m.flags = [...now.flags];
      m.modseq = now.modseq ?? 0;
      untagged(s, this.flagUpdate(i, m));
    });

    const last = this.messages.length > 0 ? this.messages[this.messages.length - 1]!.uid : 0;
    const added = status.messages.filter((m) => m.uid > last);
    if (added.length > 0) {
      const recent = takeRecent(this.mailbox, added.map((m) => m.uid), !this.readOnly);
      for (const m of added) this.messages.push(toView(m, recent.has(m.uid)));
      untagged(s, `${this.messages.length} EXISTS`);
      if (!this.rev2) untagged(s, `${this.recentCount} RECENT`);
    }
    this.uidNext = status.uidNext;
    this.highestModseq = status.highestModseq ?? 0;
  }

  /**
   * Before a response that carries `flags` (this session's STORE): announce
   * any keyword the client has not heard of, so a client that tracks FLAGS
   * never meets an unknown one in a FETCH (Dovecot orders them the same way).
   */
  announceKeywords(s: SessionBase, flags: readonly string[]): void {
    const known = new Set(this.keywords.map((k) => k.toUpperCase()));
    const fresh: string[] = [];
    for (const f of flags) {
      if (f.startsWith("\\") || known.has(f.toUpperCase())) continue;
      known.add(f.toUpperCase());
      fresh.push(f);
    }
    if (fresh.length === 0) return;
    this.keywords = [...this.keywords, ...fresh];
    this.sendDefinedFlags(s);
  }

  /** RFC 3501 §7.2.6 FLAGS, then (read-write) §7.1 PERMANENTFLAGS: the mailbox's flags as they now stand. */
  private sendDefinedFlags(s: SessionBase): void {
    untagged(s, `FLAGS (${this.definedFlags().join(" ")})`);
    if (!this.readOnly) untagged(s, `OK [PERMANENTFLAGS (${this.definedFlags().join(" ")} \\*)] flags and keywords the client can change`);
  }

  /** After this session's own EXPUNGE: announce and drop the given positions (0-based, any order). */
  removeAnnounced(s: SessionBase, positions: number[]): void {
    const descending = [...positions].sort((a, b) => b - a);
    if (this.qresync && descending.length > 0) {
      untagged(s, `VANISHED ${formatUidSet(descending.map((i) => this.messages[i]!.uid).reverse())}`);
    }
    if (!this.qresync) for (const i of descending) untagged(s, `${i + 1} EXPUNGE`);
    const removed = new Set(positions);
    this.messages = this.messages.filter((_, i) => !removed.has(i));
  }

  private absorbStatus(status: MailboxStatus): void {
    this.uidValidity = status.uidValidity;
    this.uidNext = status.uidNext;
    this.highestModseq = status.highestModseq ?? 0;
    this.keywords = [...(status.keywords ?? keywordsOf(status.messages))];
  }
}

function toView(m: MessageInfo, recent: boolean): ViewMessage {
  return { uid: m.uid, size: m.size, internalDate: m.internalDate, flags: [...m.flags], recent, gone: false, modseq: m.modseq ?? 0 };
}

function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  // Almost always the same flags in the same order (both come from the store's canonical order):
  // that answer needs no set. Every session compares every message after each change.
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length) return true;
  const set = new Set(a.map((f) => f.toUpperCase()));
  return b.every((f) => set.has(f.toUpperCase()));
}

function keywordsOf(messages: readonly MessageInfo[]): string[] {
  const words = new Set<string>();
  for (const m of messages) for (const f of m.flags) if (!f.startsWith("\\")) words.add(f);
  return [...words];
}

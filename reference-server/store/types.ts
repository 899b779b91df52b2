// The contract between the protocol engines and the mail store. The store is
// the only code that touches mail files; SMTP delivers into it, POP3 reads and
// deletes through it, IMAP (part 2) uses all of it. Every method is safe when
// sessions of all three protocols act on the same mailbox at once.
// Standards: Maildir (cr.yp.to/proto/maildir.html), Maildir++ folders, RFC 3501 §2.3.1 (UIDs).

/** System flags as IMAP spells them; keywords are any other atom. */
export type Flag = string;

/**
 * A message's octets for the store to write: one buffer, or its pieces in
 * order (a delivery's trace headers and the body's blocks as received), which
 * go to the file in one gathering write instead of being joined first.
 */
export type MessageBytes = Buffer | readonly Buffer[];

/** Octets in a MessageBytes. */
export function messageLength(message: MessageBytes): number {
  return Buffer.isBuffer(message) ? message.length : message.reduce((octets, part) => octets + part.length, 0);
}

export interface MessageInfo {
  /** Stable per mailbox while uidValidity is unchanged (RFC 3501 §2.3.1.1). */
  uid: number;
  /** Exact octet count of the stored message (what POP3 RETR and IMAP RFC822.SIZE report). */
  size: number;
  flags: Flag[];
  internalDate: Date;
  /** RFC 7162 mod-sequence: grows with every change of the message (Maildir store; absent in fakes). */
  modseq?: number;
}

export interface MailboxStatus {
  uidValidity: number;
  uidNext: number;
  messages: MessageInfo[];
  /**
   * Every keyword known in this mailbox, for IMAP's FLAGS and PERMANENTFLAGS
   * (RFC 3501 §7.2.6). Optional so that fakes written before it still fit;
   * the Maildir store always fills it.
   */
  keywords?: string[];
  /** RFC 7162 HIGHESTMODSEQ: never lower than any mod-sequence reported before, across restarts. */
  highestModseq?: number;
}

/** RFC 7162 conditional STORE and what it reports; `modified` and `modseqs` are filled by the store. */
export interface FlagStoreOptions {
  /** UNCHANGEDSINCE: a message whose mod-sequence is greater is left alone and listed in `modified`. */
  unchangedSince?: number;
  modified?: number[];
  /** The mod-sequence of each UID in the result, after the change. */
  modseqs?: Map<number, number>;
}

/** A held exclusive lock; release is idempotent. */
export interface Lock {
  release(): void;
}

export interface NewMessage {
  bytes: Buffer;
  flags?: Flag[];
  internalDate?: Date;
}

export interface MailboxChange {
  kind: "added" | "flags" | "expunged";
  uids: number[];
}

export interface Mailbox {
  readonly user: string;
  readonly name: string;
  /**
   * Identity of the mailbox's contents for per-session state kept outside the
   * store (the \\Recent claims): the same object after a RENAME, since the
   * messages, UIDs and UIDVALIDITY move with the name (RFC 3501 §6.3.5).
   */
  readonly sessionKey: object;
  /** Current state, read consistently (the uid list and the Maildir agree). */
  status(): Promise<MailboxStatus>;
  /** The stored bytes of one message; throws MessageGone if it was expunged meanwhile. */
  read(uid: number): Promise<Buffer>;
  /** Add a message durably (fsync file and directory) and return its UID. */
  append(message: Buffer, options?: { flags?: Flag[]; internalDate?: Date }): Promise<number>;
  /**
   * Add messages all or none (IMAP APPEND, COPY, MOVE): each is written as it
   * is taken from `messages`, none is visible until all are durable, and on
   * any failure (of the store or of `messages` itself) none is kept. Returns
   * the UIDs in order with the UIDVALIDITY they belong to, read in the same
   * step (RFC 4315 APPENDUID / COPYUID).
   */
  appendAll(messages: Iterable<NewMessage> | AsyncIterable<NewMessage>): Promise<{ uidValidity: number; uids: number[] }>;
  /** Replace, add or remove flags; returns the new flags per UID that still exists. */
  storeFlags(uids: number[], mode: "set" | "add" | "remove", flags: Flag[], options?: FlagStoreOptions): Promise<Map<number, Flag[]>>;
  /**
   * RFC 7162 §3.2.6: which of `uids` (ascending) are gone and were expunged after mod-sequence `since`
   * (a superset where the store no longer knows when). Optional: stores without mod-sequences lack it.
   */
  vanishedSince?(since: number, uids: Iterable<number>): Promise<number[]>;
  /** Remove messages for good; UIDs that are already gone are ignored. */
  expunge(uids: number[]): Promise<void>;
  /** Subscribe to changes made by any session; returns an unsubscribe function. */
  watch(listener: (change: MailboxChange) => void): () => void;
}

export interface MailStore {
  /** The data directory's root; created on first use. */
  readonly root: string;
  /** A mailbox of a user ("INBOX" or a Maildir++ folder name); created for INBOX on demand. */
  mailbox(user: string, name: string): Promise<Mailbox>;
  /**
   * Deliver into a user's INBOX. Resolves only once the message is durably on
   * disk (file fsynced in tmp/, renamed into new/, directory fsynced) — the
   * SMTP engine answers 250 after this, never before.
   */
  deliver(user: string, message: MessageBytes): Promise<number>;
  /** POP3's exclusive maildrop lock (RFC 1939 §8); null when another session holds it. */
  tryLockMaildrop(user: string): Lock | null;
  /**
   * Runs `section` while the user's mailboxes keep their names: a DELETE or
   * RENAME waits until it ends, so a command that opens a mailbox, writes to
   * it and reports the result (APPEND, COPY, MOVE) never answers NO after
   * writing. Sections of one user run side by side; they must not nest.
   */
  withStableNames<T>(user: string, section: () => Promise<T>): Promise<T>;
}

export class MessageGone extends Error {
  constructor(readonly uid: number) {
    super(`message UID ${uid} no longer exists`);
  }
}

// ---------------------------------------------------------------------------
// Added for IMAP part 2 and for callers that must tell bad input from I/O
// trouble. Everything above is unchanged; a fake store that implements only
// MailStore still type-checks.

/**
 * Mailbox hierarchy for IMAP (RFC 3501 §6.3.3-6.3.7). Names use the store's
 * `hierarchyDelimiter`; "INBOX" is case-insensitive and always exists.
 * A name that could leave the user's directory raises InvalidName.
 */
export interface MailFolders {
  /** The delimiter mailbox names are written with ("/" unless configured "."). */
  readonly hierarchyDelimiter: string;
  /** Every selectable mailbox of the user, "INBOX" first, the rest sorted. */
  listMailboxes(user: string): Promise<string[]>;
  /**
   * Throws MailboxExists if it exists (INBOX always does). With `superiors`,
   * missing superiors are created too (RFC 3501 §6.3.3); the whole name is
   * checked first, and a failure leaves none of them behind.
   */
  createMailbox(user: string, name: string, options?: { superiors?: boolean }): Promise<void>;
  /** Removes the mailbox and its messages; inferiors stay (RFC 3501 §6.3.4). INBOX is refused. */
  deleteMailbox(user: string, name: string): Promise<void>;
  /**
   * Renames a mailbox with its inferiors and keeps its UIDVALIDITY. Renaming
   * INBOX moves its messages into the new mailbox and leaves INBOX empty
   * (RFC 3501 §6.3.5).
   */
  renameMailbox(user: string, from: string, to: string): Promise<void>;
  /** Subscribed names, sorted; they need not exist (RFC 3501 §6.3.6). */
  listSubscriptions(user: string): Promise<string[]>;
  subscribe(user: string, name: string): Promise<void>;
  unsubscribe(user: string, name: string): Promise<void>;
}

/** What `openMaildirStore` returns: the message store plus folder operations. */
export type FolderMailStore = MailStore & MailFolders;

/** A user or mailbox name was refused, e.g. because it could escape the data directory. */
export class InvalidName extends Error {
  constructor(readonly kind: "user" | "mailbox", readonly value: string, reason: string) {
    super(`${kind} name ${JSON.stringify(value)} rejected: ${reason}`);
  }
}

/** A flag the store cannot keep: \Recent (session state), an unknown \-flag, or a non-atom keyword. */
export class InvalidFlag extends Error {
  constructor(readonly flag: string, reason: string) {
    super(`flag ${JSON.stringify(flag)} rejected: ${reason}`);
  }
}

export class MailboxNotFound extends Error {
  constructor(readonly user: string, readonly mailbox: string) {
    super(`mailbox ${JSON.stringify(mailbox)} of ${JSON.stringify(user)} does not exist`);
  }
}

export class MailboxExists extends Error {
  constructor(readonly user: string, readonly mailbox: string) {
    super(`mailbox ${JSON.stringify(mailbox)} of ${JSON.stringify(user)} already exists`);
  }
}

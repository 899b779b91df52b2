// The contract between the protocol engines and the mail store. The store is
// the only code that touches mail files; SMTP delivers into it, POP3 reads and
// deletes through it, IMAP (part 2) uses all of it. Every method is safe when
// sessions of all three protocols act on the same mailbox at once.
// Standards: Maildir (cr.yp.to/proto/maildir.html), Maildir++ folders, RFC 3501 §2.3.1 (UIDs).

/** System flags as IMAP spells them; keywords are any other atom. */
export type Flag = string;

export interface MessageInfo {
  /** Stable per mailbox while uidValidity is unchanged (RFC 3501 §2.3.1.1). */
  uid: number;
  /** Exact octet count of the stored message (what POP3 RETR and IMAP RFC822.SIZE report). */
  size: number;
  flags: Flag[];
  internalDate: Date;
}

export interface MailboxStatus {
  uidValidity: number;
  uidNext: number;
  messages: MessageInfo[];
}

/** A held exclusive lock; release is idempotent. */
export interface Lock {
  release(): void;
}

export interface MailboxChange {
  kind: "added" | "flags" | "expunged";
  uids: number[];
}

export interface Mailbox {
  readonly user: string;
  readonly name: string;
  /** Current state, read consistently (the uid list and the Maildir agree). */
  status(): Promise<MailboxStatus>;
  /** The stored bytes of one message; throws MessageGone if it was expunged meanwhile. */
  read(uid: number): Promise<Buffer>;
  /** Add a message durably (fsync file and directory) and return its UID. */
  append(message: Buffer, options?: { flags?: Flag[]; internalDate?: Date }): Promise<number>;
  /** Replace, add or remove flags; returns the new flags per UID that still exists. */
  storeFlags(uids: number[], mode: "set" | "add" | "remove", flags: Flag[]): Promise<Map<number, Flag[]>>;
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
  deliver(user: string, message: Buffer): Promise<number>;
  /** POP3's exclusive maildrop lock (RFC 1939 §8); null when another session holds it. */
  tryLockMaildrop(user: string): Lock | null;
}

export class MessageGone extends Error {
  constructor(readonly uid: number) {
    super(`message UID ${uid} no longer exists`);
  }
}

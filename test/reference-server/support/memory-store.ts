// An in-memory MailStore for engine tests: the contract of
// reference-server/store/types.ts without disk, plus hooks to make delivery
// fail or stall so tests can see what the engines do then.
// Standards: RFC 1939 §8 (maildrop lock), RFC 3501 §2.3.1 (UIDs).

import {
  MessageGone,
  type Flag,
  type Lock,
  type Mailbox,
  type MailboxChange,
  type MailboxStatus,
  type MessageBytes,
  type MailStore,
  type NewMessage,
} from "../../../reference-server/store/types.ts";

interface StoredMessage {
  uid: number;
  bytes: Buffer;
  flags: Flag[];
  internalDate: Date;
}

class MemoryMailbox implements Mailbox {
  readonly sessionKey = {};
  readonly uidValidity = 1700000000;
  uidNext = 1;
  messages: StoredMessage[] = [];
  private listeners = new Set<(change: MailboxChange) => void>();

  constructor(
    readonly user: string,
    readonly name: string,
  ) {}

  async status(): Promise<MailboxStatus> {
    return {
      uidValidity: this.uidValidity,
      uidNext: this.uidNext,
      messages: this.messages.map((m) => ({ uid: m.uid, size: m.bytes.length, flags: [...m.flags], internalDate: m.internalDate })),
    };
  }

  async read(uid: number): Promise<Buffer> {
    const m = this.messages.find((x) => x.uid === uid);
    if (!m) throw new MessageGone(uid);
    return m.bytes;
  }

  async append(message: Buffer, options?: { flags?: Flag[]; internalDate?: Date }): Promise<number> {
    const uid = this.uidNext++;
    this.messages.push({ uid, bytes: Buffer.from(message), flags: options?.flags ?? [], internalDate: options?.internalDate ?? new Date() });
    this.emit({ kind: "added", uids: [uid] });
    return uid;
  }

  async appendAll(messages: Iterable<NewMessage> | AsyncIterable<NewMessage>): Promise<{ uidValidity: number; uids: number[] }> {
    const all: NewMessage[] = [];
    for await (const m of messages) all.push(m);
    const uids: number[] = [];
    for (const m of all) uids.push(await this.append(m.bytes, m));
    return { uidValidity: this.uidValidity, uids };
  }

  async storeFlags(uids: number[], mode: "set" | "add" | "remove", flags: Flag[]): Promise<Map<number, Flag[]>> {
    const result = new Map<number, Flag[]>();
    for (const m of this.messages) {
      if (!uids.includes(m.uid)) continue;
      if (mode === "set") m.flags = [...flags];
      else if (mode === "add") m.flags = [...new Set([...m.flags, ...flags])];
      else m.flags = m.flags.filter((f) => !flags.includes(f));
      result.set(m.uid, m.flags);
    }
    return result;
  }

  async expunge(uids: number[]): Promise<void> {
    const gone = this.messages.filter((m) => uids.includes(m.uid)).map((m) => m.uid);
    this.messages = this.messages.filter((m) => !uids.includes(m.uid));
    if (gone.length > 0) this.emit({ kind: "expunged", uids: gone });
  }

  watch(listener: (change: MailboxChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: MailboxChange): void {
    for (const l of this.listeners) l(change);
  }
}

export class MemoryStore implements MailStore {
  readonly root = "memory:";
  private boxes = new Map<string, MemoryMailbox>();
  private locks = new Set<string>();
  /** When set, deliver() rejects with it (to test 451). */
  failDeliveries: Error | null = null;
  /** Every deliver() call, in order. */
  readonly deliveries: { user: string; message: Buffer }[] = [];

  async mailbox(user: string, name: string): Promise<MemoryMailbox> {
    const key = `${user}/${name}`;
    let box = this.boxes.get(key);
    if (!box) {
      box = new MemoryMailbox(user, name);
      this.boxes.set(key, box);
    }
    return box;
  }

  async deliver(user: string, pieces: MessageBytes): Promise<number> {
    if (this.failDeliveries) throw this.failDeliveries;
    // A delivery comes as its pieces (trace headers, the body's blocks); the fake keeps one buffer.
    const message = Buffer.isBuffer(pieces) ? Buffer.from(pieces) : Buffer.concat(pieces);
    this.deliveries.push({ user, message });
    return (await this.mailbox(user, "INBOX")).append(message);
  }

  /** One process, no folders: nothing can rename a mailbox under a section. */
  withStableNames<T>(_user: string, section: () => Promise<T>): Promise<T> {
    return section();
  }

  tryLockMaildrop(user: string): Lock | null {
    if (this.locks.has(user)) return null;
    this.locks.add(user);
    let held = true;
    return {
      release: () => {
        if (held) this.locks.delete(user);
        held = false;
      },
    };
  }

  /** The INBOX messages of a user, oldest first. */
  async inbox(user: string): Promise<Buffer[]> {
    return (await this.mailbox(user, "INBOX")).messages.map((m) => m.bytes);
  }
}

// Recently read message files, kept in memory for every session of the
// process: a Maildir message's bytes never change under its base name (a
// flag change renames the file, an expunge removes it), so a client fetching
// the header, then the body, or ten clients reading the same new message,
// read the disk once — a file read is four thread-pool round trips (open,
// stat, read, close). Bounded in octets, least recently used out first.
// Standards: Maildir (cr.yp.to/proto/maildir.html: a delivered file is never modified).

/** Octets the cache holds at most, over all mailboxes. */
export const MESSAGE_CACHE_OCTETS = 8 * 1024 * 1024;
/** Larger messages are read from the disk every time: one of them would push out many small ones. */
export const MESSAGE_CACHE_MAX_MESSAGE_OCTETS = 256 * 1024;

export class MessageCache {
  // Map order is use order: the first key is the least recently used.
  private readonly entries = new Map<string, Buffer>();
  private octets = 0;

  constructor(
    private readonly maxOctets = MESSAGE_CACHE_OCTETS,
    private readonly maxMessageOctets = MESSAGE_CACHE_MAX_MESSAGE_OCTETS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get heldOctets(): number {
    return this.octets;
  }

  get(key: string): Buffer | undefined {
    const bytes = this.entries.get(key);
    if (bytes !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, bytes);
    }
    return bytes;
  }

  set(key: string, bytes: Buffer): void {
    if (bytes.length > this.maxMessageOctets) return;
    this.delete(key);
    this.entries.set(key, bytes);
    this.octets += bytes.length;
    for (const [oldest, old] of this.entries) {
      if (this.octets <= this.maxOctets) break;
      this.entries.delete(oldest);
      this.octets -= old.length;
    }
  }

  delete(key: string): void {
    const bytes = this.entries.get(key);
    if (bytes === undefined) return;
    this.entries.delete(key);
    this.octets -= bytes.length;
  }
}

/** The process's one cache: the store hands every session the same mailbox instances, and they share it. */
export const messageCache = new MessageCache();

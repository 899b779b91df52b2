// In-process locks: a FIFO async mutex that serialises every mutation of one
// mailbox (and folder changes of one user), and POP3's exclusive maildrop
// lock. The store is used by one server process, so in-process serialisation
// is enough; a second process writing the same Maildir is tolerated the way
// Maildir allows (files appear or vanish; mailbox.ts resynchronises), but
// its uid list writes would race ours, so run one server per data directory.
// Standards: RFC 1939 §8 (exclusive-access lock on the maildrop).

import type { Lock } from "./types.ts";

/** Runs critical sections one at a time, in call order. A failing section does not block the next. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One Mutex per key, created on first use and kept (keys are users or mailboxes: few). */
export class KeyedMutex {
  private readonly mutexes = new Map<string, Mutex>();

  run<T>(key: string, section: () => Promise<T>): Promise<T> {
    let mutex = this.mutexes.get(key);
    if (mutex === undefined) {
      mutex = new Mutex();
      this.mutexes.set(key, mutex);
    }
    return mutex.run(section);
  }
}

/**
 * RFC 1939 §8: the POP3 server acquires an exclusive-access lock on the
 * maildrop when the session enters TRANSACTION state; a second session is
 * refused (-ERR) rather than made to wait.
 */
export class MaildropLocks {
  private readonly held = new Set<string>();

  tryLock(user: string): Lock | null {
    if (this.held.has(user)) return null;
    this.held.add(user);
    let released = false;
    return {
      release: () => {
        // Idempotent: a session may release on QUIT and again on close.
        if (released) return;
        released = true;
        this.held.delete(user);
      },
    };
  }
}

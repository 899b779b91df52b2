// In-process locks: a FIFO async mutex that serialises every mutation of one
// mailbox, a shared/exclusive gate per user that keeps folder names still
// while a multi-step command (APPEND, COPY, MOVE) uses them, and POP3's
// exclusive maildrop lock. The store is used by one server process, so in-process serialisation
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
 * Shared sections run side by side; an exclusive one runs alone. FIFO-fair:
 * an exclusive waiter holds back shared sections that come after it, so a
 * stream of APPENDs cannot starve a RENAME. Sections must not nest (a nested
 * shared request queued behind a waiting exclusive one would wait forever);
 * code that only needs to see a consistent moment uses `changes`/`settled()`.
 */
export class SharedExclusiveLock {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: { exclusive: boolean; start: () => void }[] = [];
  private settledWaiters: (() => void)[] = [];
  /** Exclusive sections started so far: a reader that saw it unchanged and `changing` false saw no change. */
  changes = 0;

  /** True while an exclusive section runs. */
  get changing(): boolean {
    return this.exclusive;
  }

  /** Resolves when no exclusive section runs (at once if none does). */
  settled(): Promise<void> {
    if (!this.exclusive) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  runShared<T>(section: () => Promise<T>): Promise<T> {
    return this.enter(false, section);
  }

  runExclusive<T>(section: () => Promise<T>): Promise<T> {
    return this.enter(true, section);
  }

  private async enter<T>(exclusive: boolean, section: () => Promise<T>): Promise<T> {
    if (this.waiting.length > 0 || this.exclusive || (exclusive && this.shared > 0)) {
      await new Promise<void>((start) => this.waiting.push({ exclusive, start }));
    } else {
      this.take(exclusive);
    }
    try {
      return await section();
    } finally {
      if (exclusive) {
        this.exclusive = false;
        const waiters = this.settledWaiters;
        this.settledWaiters = [];
        for (const wake of waiters) wake();
      } else {
        this.shared -= 1;
      }
      this.admit();
    }
  }

  private take(exclusive: boolean): void {
    if (exclusive) {
      this.exclusive = true;
      this.changes += 1;
    } else {
      this.shared += 1;
    }
  }

  /** Starts the waiters at the head of the queue that may run now, in order. */
  private admit(): void {
    while (this.waiting.length > 0 && !this.exclusive) {
      const next = this.waiting[0]!;
      if (next.exclusive && this.shared > 0) return;
      this.waiting.shift();
      this.take(next.exclusive);
      next.start();
    }
  }
}

/** One SharedExclusiveLock per key (users: few), created on first use and kept. */
export class KeyedSharedExclusiveLock {
  private readonly locks = new Map<string, SharedExclusiveLock>();

  of(key: string): SharedExclusiveLock {
    let lock = this.locks.get(key);
    if (lock === undefined) {
      lock = new SharedExclusiveLock();
      this.locks.set(key, lock);
    }
    return lock;
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

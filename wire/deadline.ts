// One time budget shared by every phase of a wait (connect, TLS, read):
// whichever phase stalls, the caller gets the same timeout error.

export class DeadlineExceeded extends Error {
  constructor(readonly what: string, readonly ms: number) {
    super(`timed out after ${ms} ms waiting for ${what}`);
  }
}

export class Deadline {
  /** Date.now() at which the budget is spent. */
  readonly endsAt: number;

  /** `from`: when the budget starts, if the caller has just read the clock (a clock read is not free). */
  constructor(readonly ms: number, from = Date.now()) {
    this.endsAt = from + ms;
  }

  remaining(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  expired(): boolean {
    return this.remaining() === 0;
  }

  /** Race a promise against the budget; `what` names the wait in the error. */
  race<T>(promise: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DeadlineExceeded(what, this.ms)), this.remaining());
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

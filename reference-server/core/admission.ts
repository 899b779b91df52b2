// Who may hold a session at all: connections counted per client address and
// in total across every listener, and authenticated sessions per user. The
// listener asks before a session greets; a refused client gets its protocol's
// "go away" (421, -ERR, BYE) from the session driver and is closed. One
// Admission serves the whole server (serve.ts builds it).
// Standards: RFC 5321 §3.8 and §4.2.2 (421 service not available), RFC 1939 §3, RFC 3501 §7.1.5 (BYE), RFC 5530 (LIMIT).

export interface AdmissionLimits {
  /** Connections open at once, all protocols and ports together. */
  maxTotal: number;
  /** Connections open at once from one client address. */
  maxPerAddress: number;
}

/** Why a connection is turned away; null when it is admitted. */
export type AdmissionRefusal = "total" | "per-address";

export class Admission {
  private total = 0;
  private readonly perAddress = new Map<string, number>();
  private readonly perUser = new Map<string, number>();

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * Count a new connection. Returns the release function (call it exactly
   * once, when the connection ends) and why it must be refused, if it must.
   * A refused connection is counted too until it is released, so a flood of
   * refusals cannot slip in between the check and the close.
   */
  admit(address: string): { refusal: AdmissionRefusal | null; release: () => void } {
    const refusal = this.enter(address);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.leave(address);
    };
    return { refusal, release };
  }

  /**
   * admit() without the release function, for the listener, which keeps
   * nothing per connection it can do without: count the connection, and
   * call leave(address) exactly once when it ends.
   */
  enter(address: string): AdmissionRefusal | null {
    const fromAddress = (this.perAddress.get(address) ?? 0) + 1;
    this.perAddress.set(address, fromAddress);
    this.total++;
    return this.total > this.limits.maxTotal ? "total" : fromAddress > this.limits.maxPerAddress ? "per-address" : null;
  }

  leave(address: string): void {
    this.total--;
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left === 0) this.perAddress.delete(address);
    else this.perAddress.set(address, left);
  }

  /**
   * Claim one of `max` session slots for `user` in `protocol`; null when all
   * are taken. The returned function gives the slot back (idempotent).
   */
  claimUser(protocol: string, user: string, max: number): (() => void) | null {
    const key = `${protocol}\u0000${user}`;
    const held = this.perUser.get(key) ?? 0;
    if (held >= max) return null;
    this.perUser.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perUser.get(key) ?? 1) - 1;
      if (left === 0) this.perUser.delete(key);
      else this.perUser.set(key, left);
    };
  }

  /** Connections open now (for tests and the soak's figures). */
  get connections(): number {
    return this.total;
  }
}

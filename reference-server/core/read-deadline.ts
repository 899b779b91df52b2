// How long a read may wait. A command line has one deadline for the whole
// line, not a timer restarted by every octet (one byte a second held a
// session forever). Message data — DATA, BDAT chunks, literals — has a
// TransferDeadline: it fails after a stall of its grace period, or once it
// falls behind a minimum rate after that grace (Postfix smtpd_per_request_deadline
// and smtpd_min_data_rate).
// Standards: RFC 5321 §4.5.3.2 (timeouts), RFC 1939 §3, RFC 3501 §5.4 (autologout).

/** What a TransferDeadline reads off the connection. */
export interface InputProgress {
  /** Octets received on the connection so far. */
  readonly receivedOctets: number;
  /** Date.now() of the last octet received (0 before any). */
  readonly lastInputAt: number;
}

export class TransferDeadline {
  private readonly startedAt = Date.now();
  private readonly startOctets: number;

  constructor(
    private readonly input: InputProgress,
    /** Longest stall, and the time allowed before the rate counts. */
    readonly graceMs: number,
    /** 0: no minimum rate, only the stall limit. */
    readonly minOctetsPerSecond: number,
  ) {
    this.startOctets = input.receivedOctets;
  }

  /**
   * Date.now() at which the transfer fails: `graceMs` after the last octet,
   * and no later than `graceMs` plus the time the octets received so far
   * would take at the minimum rate.
   */
  endsAt(): number {
    const stalled = Math.max(this.startedAt, this.input.lastInputAt) + this.graceMs;
    if (this.minOctetsPerSecond <= 0) return stalled;
    const received = this.input.receivedOctets - this.startOctets;
    return Math.min(stalled, this.startedAt + this.graceMs + (received * 1000) / this.minOctetsPerSecond);
  }

  /** The farewell text when it fails: which of the two limits ran out. */
  describe(): string {
    const stalled = Math.max(this.startedAt, this.input.lastInputAt) + this.graceMs;
    return this.endsAt() < stalled
      ? `data arriving slower than ${this.minOctetsPerSecond} octets per second`
      : `no data within ${this.graceMs / 1000} s`;
  }
}

// The process-wide count of octets the server holds for its clients: message
// data and literals being received, delivery copies, unread input and unsent
// replies. Message data must fit (tryReserve) or the transaction is refused;
// input and replies are already in memory and are only counted (charge).
// New connections and transactions are turned away while the count is high,
// so a crowd of large or slow clients gets 452 / NO / -ERR instead of an
// out-of-memory crash that takes every port down.
// Standards: RFC 5321 §4.2.3 and RFC 3463 §3.4 (452 4.3.1), RFC 5530 (UNAVAILABLE), RFC 3206 (SYS/TEMP).

export class MemoryBudget {
  private heldOctets = 0;

  constructor(readonly maxOctets: number) {}

  /** Octets counted now. */
  get held(): number {
    return this.heldOctets;
  }

  /** Whether `octets` more would still fit: the check before a transaction or a literal starts. */
  hasRoomFor(octets: number): boolean {
    return this.heldOctets + octets <= this.maxOctets;
  }

  /** Less than a sixteenth left: new connections are greeted with 421 / -ERR / BYE and closed. */
  get underPressure(): boolean {
    return this.heldOctets > this.maxOctets - this.maxOctets / 16;
  }

  /** Count `octets` if they fit; false when they do not (nothing is counted then). */
  tryReserve(octets: number): boolean {
    if (!this.hasRoomFor(octets)) return false;
    this.heldOctets += octets;
    return true;
  }

  /** Count octets already in memory (received input, queued replies, a delivery copy). */
  charge(octets: number): void {
    this.heldOctets += octets;
  }

  release(octets: number): void {
    this.heldOctets -= octets;
  }
}

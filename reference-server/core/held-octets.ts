// The octets of a message or literal while it arrives: copied into blocks
// that grow from 4 KiB to 64 KiB, each counted in the MemoryBudget with its
// overhead before it is allocated. What is counted is what is held; a buffer
// per DATA line is never kept (24 MiB of empty lines once cost 4 GiB of heap
// as 12 million tiny buffers and crashed the server).
// Standards: RFC 5321 §4.5.3.1.7 (message size), RFC 3501 §4.3 (literals).

import type { MemoryBudget } from "./memory-budget.ts";

const FIRST_BLOCK_OCTETS = 4 * 1024;
const MAX_BLOCK_OCTETS = 64 * 1024;
// A block's Buffer object, its ArrayBuffer and backing-store record in V8 and
// its array slot: a few hundred octets, counted with every block.
export const BLOCK_OVERHEAD_OCTETS = 256;
// Appends this short are copied byte by byte: DATA is mostly short lines and
// CRLFs, where Buffer#copy's call costs more than the copy.
const SHORT_COPY_OCTETS = 16;

export class HeldOctets {
  private blocks: Buffer[] = [];
  /** Octets used in the last block. */
  private fill = 0;
  private total = 0;
  private reservedOctets = 0;
  private refusedFlag = false;

  constructor(private readonly budget: MemoryBudget) {}

  /** Octets appended (and kept). */
  get length(): number {
    return this.total;
  }

  /** Octets counted in the budget for the blocks: capacity plus overhead. */
  get reserved(): number {
    return this.reservedOctets;
  }

  /** True once the budget refused a block; nothing is kept after that. */
  get refused(): boolean {
    return this.refusedFlag;
  }

  /** Copy `bytes` in. False when the budget has no room: everything is given back and later appends are ignored. */
  append(bytes: Buffer): boolean {
    if (this.refusedFlag) return false;
    let from = 0;
    while (from < bytes.length) {
      let block: Buffer | undefined = this.blocks[this.blocks.length - 1];
      if (block === undefined || this.fill === block.length) {
        block = this.grow();
        if (block === undefined) return false;
      }
      const n = Math.min(block.length - this.fill, bytes.length - from);
      if (n <= SHORT_COPY_OCTETS) {
        for (let i = 0; i < n; i++) block[this.fill + i] = bytes[from + i]!;
      } else {
        bytes.copy(block, this.fill, from, from + n);
      }
      this.fill += n;
      from += n;
    }
    this.total += bytes.length;
    return true;
  }

  /** Views of the kept octets, in order (no copy). */
  parts(): Buffer[] {
    const last = this.blocks.length - 1;
    return this.blocks.map((block, i) => (i === last ? block.subarray(0, this.fill) : block));
  }

  /** Drop the blocks and give their octets back to the budget; safe to call more than once. */
  release(): void {
    this.budget.release(this.reservedOctets);
    this.reservedOctets = 0;
    this.blocks = [];
    this.fill = 0;
  }

  private grow(): Buffer | undefined {
    const size = Math.min(MAX_BLOCK_OCTETS, FIRST_BLOCK_OCTETS << Math.min(this.blocks.length, 8));
    if (!this.budget.tryReserve(size + BLOCK_OVERHEAD_OCTETS)) {
      this.refusedFlag = true;
      this.release();
      this.total = 0;
      return undefined;
    }
    this.reservedOctets += size + BLOCK_OVERHEAD_OCTETS;
    // Slow: a block of its own, not a slice of the shared pool that a small kept block would pin.
    const block = Buffer.allocUnsafeSlow(size);
    this.blocks.push(block);
    this.fill = 0;
    return block;
  }
}

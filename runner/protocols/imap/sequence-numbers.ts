// Message sequence numbers a test captured on an IMAP session and asked the
// session to keep current (`sequence-numbers:` in an expect). A server tells a
// session of expunges when it chooses, within the RFC's rules, so a number
// captured before another session's EXPUNGE may or may not be stale when the
// test next uses it. Each untagged "* n EXPUNGE" the session reads afterwards
// lowers the tracked numbers above n by one; a tracked message that is itself
// expunged becomes the word "expunged", so a step that still uses it fails
// visibly. "* VANISHED uid-set" (not EARLIER) does the same for each UID, by
// the sequence numbers the session saw those UIDs at in FETCH responses.
// Selecting, examining, closing or unselecting a mailbox ends the tracking.
// Standards: RFC 3501 §7.4.1 (EXPUNGE renumbers), §5.5 (when EXPUNGE may come); RFC 7162 §3.2.10 (VANISHED).

import type { Variables } from "../../session/variables.ts";
import type { ImapResponse } from "../../../wire/imap-tokens.ts";
import { expandSequenceSet } from "./matchers/sequence-set.ts";

/** What a tracked number becomes once its own message is expunged. */
export const EXPUNGED = "expunged";

type Untagged = Extract<ImapResponse, { kind: "untagged" }>;

const EXPUNGE = /^\* ([1-9]\d{0,9}) EXPUNGE$/i;
const VANISHED = /^\* VANISHED ([\d:,]+)$/i;
const FETCH = /^\* ([1-9]\d{0,9}) FETCH /i;
/** Commands whose completion leaves another (or no) mailbox selected (RFC 3501 §6.3.1, §6.3.2, §6.4.2; RFC 3691). */
const RESELECTS = /^\S+ (?:SELECT|EXAMINE|CLOSE|UNSELECT)(?: |$)/i;

export class SequenceNumbers {
  /** Capture name → its current sequence number. */
  private readonly tracked = new Map<string, number>();
  /** Sequence number → UID, as FETCH responses showed them while tracking (for VANISHED). */
  private uids = new Map<number, number>();
  private vars: Variables | undefined;

  /** Whether any number is tracked: otherwise responses are not looked at. */
  get active(): boolean {
    return this.tracked.size > 0;
  }

  /** Keep `name`'s captured value current from here on. */
  track(name: string, vars: Variables): void {
    const value = vars.get(name) ?? "";
    if (!/^[1-9]\d{0,9}$/.test(value)) throw new Error(`'${name}' is listed in sequence-numbers but captured '${value}', which is no message sequence number`);
    this.vars = vars;
    this.tracked.set(name, Number(value));
  }

  /** An untagged response the session read: renumber on EXPUNGE / VANISHED, learn UIDs from FETCH. */
  observe(response: Untagged): void {
    // Only short responses can be EXPUNGE or VANISHED; a FETCH is looked at only up to its UID.
    const head = response.bytes.subarray(0, 200).toString("latin1");
    const expunge = EXPUNGE.exec(head);
    if (expunge) return this.expunge(Number(expunge[1]));
    const vanished = response.bytes.length <= 200 ? VANISHED.exec(head) : null;
    if (vanished) return this.vanish(vanished[1]!);
    const fetch = FETCH.exec(head);
    if (fetch) this.learnUid(Number(fetch[1]), response);
  }

  /** A tagged completion: after SELECT, EXAMINE, CLOSE or UNSELECT the numbers belong to no mailbox. */
  completed(command: string): void {
    if (RESELECTS.test(command)) {
      this.tracked.clear();
      this.uids.clear();
    }
  }

  private expunge(removed: number): void {
    for (const [name, value] of this.tracked) {
      if (value < removed) continue;
      if (value === removed) {
        this.tracked.delete(name);
        this.vars!.bind(name, EXPUNGED);
      } else {
        this.tracked.set(name, value - 1);
        this.vars!.bind(name, String(value - 1));
      }
    }
    const shifted = new Map<number, number>();
    for (const [seq, uid] of this.uids) if (seq !== removed) shifted.set(seq > removed ? seq - 1 : seq, uid);
    this.uids = shifted;
  }

  private vanish(uidSet: string): void {
    const uids = expandSequenceSet(uidSet);
    const byUid = new Map([...this.uids].map(([seq, uid]) => [uid, seq]));
    const removed: number[] = [];
    for (const uid of uids ?? []) {
      const seq = byUid.get(uid);
      if (seq === undefined) {
        throw new Error(
          `VANISHED names UID ${uid}, which this session saw in no FETCH response: the sequence numbers it tracks cannot be kept current ` +
            "(fetch the UIDs, e.g. FETCH 1:* UID, before the expunge)",
        );
      }
      removed.push(seq);
    }
    // Highest first: each removal leaves the lower ones where they are.
    for (const seq of removed.sort((a, b) => b - a)) this.expunge(seq);
  }

  private learnUid(seq: number, response: Untagged): void {
    const items = response.tokens[2];
    if (items?.type !== "list") return;
    for (let i = 0; i + 1 < items.items.length; i += 2) {
      const key = items.items[i]!;
      const value = items.items[i + 1]!;
      if (key.type === "atom" && key.value.toUpperCase() === "UID" && value.type === "number") this.uids.set(seq, Number(value.value));
    }
  }
}

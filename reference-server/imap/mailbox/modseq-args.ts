// The CONDSTORE / QRESYNC arguments: mod-sequence values (63-bit, beyond the
// 32-bit `number` of RFC 3501), the SELECT/EXAMINE parameter list, and the
// checks that say whether the session may use them.
// Standards: RFC 7162 §7 (mod-sequence-value, mod-sequence-valzer, select-param, qresync params), RFC 4466 §2.1.

import { MAX_MODSEQ } from "../../store/modseq-log.ts";
import { syntax, type ArgReader } from "../grammar/reader.ts";
import { readSequenceSet, STAR, type SequenceSet } from "../grammar/sequence-set.ts";
import type { ImapSession } from "../states.ts";

/** mod-sequence-value = 1*DIGIT (at most 2^63-1; we keep exact integers); `zero` allows mod-sequence-valzer. */
export function readModseq(r: ArgReader, zero: boolean, what = "a mod-sequence"): number {
  const text = r.run((c) => c >= 0x30 && c <= 0x39, what);
  const value = Number(text);
  if (text.length > 19 || !Number.isSafeInteger(value) || value > MAX_MODSEQ) syntax(`${what} is out of range`);
  if (value === 0 && !zero) syntax(`${what} must not be 0`);
  return value;
}

export interface QresyncParams {
  uidValidity: number;
  modseq: number;
  /** known-uids; absent: every UID the mailbox has used. */
  knownUids: SequenceSet | null;
  /** seq-match-data: message numbers and the UIDs the client knows them by, pairwise. */
  seqMatch: { sequences: SequenceSet; uids: SequenceSet } | null;
}

export interface SelectParams {
  condstore: boolean;
  qresync: QresyncParams | null;
}

/**
 * [SP "(" select-param *(SP select-param) ")"] after the mailbox name.
 * select-param =/ "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
 * seq-match-data = "(" known-sequence-set SP known-uid-set ")"; "*" is not allowed in any of the sets.
 */
export function readSelectParams(r: ArgReader, s: ImapSession): SelectParams {
  const params: SelectParams = { condstore: false, qresync: null };
  if (r.atEnd) return params;
  r.sp();
  r.expect("(", "select parameters");
  for (;;) {
    const name = r.atom("a select parameter").toUpperCase();
    if (name === "CONDSTORE") params.condstore = true;
    else if (name === "QRESYNC") {
      // RFC 7162 §3.2.3: BAD unless ENABLE QRESYNC was answered positively in this connection.
      if (!s.enabled.has("QRESYNC")) syntax("QRESYNC needs ENABLE QRESYNC first");
      r.sp();
      r.expect("(", "QRESYNC parameters");
      const uidValidity = r.nzNumber("a UIDVALIDITY");
      r.sp();
      const modseq = readModseq(r, false);
      let knownUids: SequenceSet | null = null;
      let seqMatch: QresyncParams["seqMatch"] = null;
      if (r.accept(" ")) {
        if (r.peek() !== 0x28) {
          knownUids = knownSet(r, "known-uids");
          r.accept(" ");
        }
        if (r.accept("(")) {
          const sequences = knownSet(r, "the known sequence set");
          r.sp();
          const uids = knownSet(r, "the known UID set");
          r.expect(")", '")" after seq-match-data');
          if (count(sequences) !== count(uids)) syntax("seq-match-data names as many UIDs as message numbers");
          seqMatch = { sequences, uids };
        }
      }
      r.expect(")", '")" after the QRESYNC parameters');
      params.qresync = { uidValidity, modseq, knownUids, seqMatch };
    } else syntax(`unknown select parameter ${name.slice(0, 30)}`);
    if (r.accept(")")) break;
    r.sp();
  }
  r.end();
  return params;
}

/** A sequence set without "*" (RFC 7162 §7 known-uids, known-sequence-set, known-uid-set). */
function knownSet(r: ArgReader, what: string): SequenceSet {
  const set = readSequenceSet(r);
  if (set.some(([a, b]) => a === STAR || b === STAR)) syntax(`"*" is not allowed in ${what}`);
  return set;
}

function count(set: SequenceSet): number {
  return set.reduce((n, [a, b]) => n + Math.abs(b - a) + 1, 0);
}

/** The members of a set in the order written, each range ascending. */
function* members(set: SequenceSet): Generator<number> {
  for (const [a, b] of set) for (let n = Math.min(a, b); n <= Math.max(a, b); n++) yield n;
}

/**
 * RFC 7162 §3.2.5.2: the UID up to which the client already knows every
 * expunge. The pairs are walked in order; each whose message number still has
 * that UID raises it, and the first that does not ends the walk.
 */
export function knownThrough(match: QresyncParams["seqMatch"], uidAt: (seq: number) => number | undefined): number {
  if (match === null) return 0;
  const uids = members(match.uids);
  let through = 0;
  for (const seq of members(match.sequences)) {
    const uid = uids.next();
    if (uid.done || uidAt(seq) !== uid.value) break;
    through = uid.value;
  }
  return through;
}

/** The UIDs below `uidNext` that `set` names (all of them when null), ascending. */
export function* uidsNamed(set: SequenceSet | null, uidNext: number): Generator<number> {
  const ranges = (set ?? [[1, uidNext - 1]]).map(([a, b]) => [Math.min(a, b), Math.min(Math.max(a, b), uidNext - 1)] as const).sort((x, y) => x[0] - y[0]);
  let next = 1;
  for (const [a, b] of ranges) {
    for (let uid = Math.max(a, next); uid <= b; uid++) yield uid;
    next = Math.max(next, b + 1);
  }
}

export interface FetchModifiers {
  changedSince: number | null;
  vanished: boolean;
}

/**
 * [SP "(" fetch-modifier *(SP fetch-modifier) ")"] after the fetch items:
 * "CHANGEDSINCE" SP mod-sequence-value, and (UID FETCH only, after ENABLE
 * QRESYNC, together with CHANGEDSINCE) "VANISHED"; anything else is BAD.
 */
export function readFetchModifiers(r: ArgReader, s: ImapSession, byUid: boolean): FetchModifiers {
  const modifiers: FetchModifiers = { changedSince: null, vanished: false };
  if (r.atEnd) return modifiers;
  r.sp();
  r.expect("(", "fetch modifiers");
  for (;;) {
    const name = r.atom("a fetch modifier").toUpperCase();
    if (name === "CHANGEDSINCE") {
      r.sp();
      modifiers.changedSince = readModseq(r, false);
    } else if (name === "VANISHED") {
      // RFC 7162 §3.2.6: only in UID FETCH, and §3.2.3: only after ENABLE QRESYNC.
      if (!byUid) syntax("VANISHED is a UID FETCH modifier");
      if (!s.enabled.has("QRESYNC")) syntax("VANISHED needs ENABLE QRESYNC first");
      modifiers.vanished = true;
    } else syntax(`unknown fetch modifier ${name.slice(0, 30)}`);
    if (r.accept(")")) break;
    r.sp();
  }
  if (modifiers.vanished && modifiers.changedSince === null) syntax("VANISHED needs CHANGEDSINCE");
  return modifiers;
}

/** A UID set with "*" read as the highest UID the mailbox has used (for VANISHED, which names gone UIDs too). */
export function withoutStar(set: SequenceSet, uidNext: number): SequenceSet {
  return set.map(([a, b]) => [a === STAR ? uidNext - 1 : a, b === STAR ? uidNext - 1 : b]);
}

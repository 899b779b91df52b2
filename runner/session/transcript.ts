// The wire transcript of one test (C:/S: lines with ms since the test began,
// the lecture's "Protokollmitschnitt"): printable, secrets redacted, and
// bounded in lines and in octets of text — a server that floods a million
// lines costs a head and a tail (TranscriptCaps, MAX_TRANSCRIPT_*_LINES), the
// middle counted in lines and wire octets and said in an `omitted` note.
// Each kept line is a typed wire event: octets, the facts its protocol's
// LineClassifier places it by (verb, code, status, tag...), or a typed note.
// Hands each head line to the event stream as a `wire` event.
// Standards: none (report format).

import type { Protocol } from "../model/ast.ts";
import { TEST_TRANSCRIPT_CAPS, type TranscriptCaps, type TranscriptLine, type WireNote } from "../model/result.ts";
import { isPrintableAscii, printable } from "../../wire/printable.ts";
import { noteText } from "./wire-notes.ts";

/** Lines kept from the start of a test; enough for any sane dialogue. */
export const MAX_TRANSCRIPT_HEAD_LINES = 2000;
/** Lines kept from the end once the head is full: the part a failure needs. */
export const MAX_TRANSCRIPT_TAIL_LINES = 200;
/** Characters per transcript line; a 64 KiB line is summarised, not copied into every report. */
export const MAX_TRANSCRIPT_LINE_CHARS = 2000;

export const REDACTED = "***";

/** The facts a classifier adds to a C or S line. */
export type LineFacts = Pick<TranscriptLine, "role" | "verb" | "tag" | "code" | "more" | "status" | "untagged" | "greeting" | "waitedMs" | "tlsGoAhead">;

/**
 * Places the C and S lines of one connection in its protocol's dialogue
 * (runner/protocols/<protocol>/line-classifier.ts), fed every kept line in
 * transcript order: the same lines a saved report holds.
 */
export interface LineClassifier {
  /** Adds the line's facts to `facts` — the transcript line itself, so no facts object is made per line. */
  line(dir: "C" | "S", text: string, ms: number, octets: number, facts: LineFacts): void;
  /** A typed note on the same connection (an IMAP server literal follows). */
  note(note: WireNote): void;
}

export type LineClassifiers = Record<Protocol, () => LineClassifier>;

/**
 * Octets a transcript line stood for on the wire, without its CRLF: the
 * engine's escapes (\xNN, \r, \n, \t) were one octet each, the rest is UTF-8.
 */
export function wireOctets(text: string, utf8Octets?: number): number {
  // Most lines hold no escape: no regex pass for them (this runs for every kept line).
  if (!text.includes("\\")) return utf8Octets ?? Buffer.byteLength(text, "utf8");
  let escapes = 0;
  const plain = text.replace(/\\x[0-9a-f]{2}|\\[rnt]/g, () => {
    escapes++;
    return "";
  });
  return Buffer.byteLength(plain, "utf8") + escapes;
}

/** One classifier per connection, started by the connection's `connect` note. */
class Annotator {
  private readonly byConnection = new Map<string, LineClassifier>();

  constructor(private readonly classifiers: LineClassifiers | undefined) {}

  annotate(line: TranscriptLine): TranscriptLine {
    if (line.dir === "*") return this.make(line.connection, "*", line.ms, line.text, line.note);
    const octets = wireOctets(line.text) + 2;
    const annotated: TranscriptLine = { ...line, octets };
    this.byConnection.get(line.connection)?.line(line.dir, line.text, line.ms, octets, annotated);
    return annotated;
  }

  /**
   * A recorded line, made once with its facts written into it: no spread
   * copies or facts objects per line (they showed in bench/runner-step.ts).
   * `utf8Octets`: the text's UTF-8 length when the caller has it. Same
   * fields, in the same order, as annotate.
   */
  make(connection: string, dir: TranscriptLine["dir"], ms: number, text: string, note: WireNote | undefined, utf8Octets?: number): TranscriptLine {
    if (dir === "*") {
      if (note?.kind === "connect") {
        const make = this.classifiers?.[note.protocol];
        if (make) this.byConnection.set(connection, make());
        else this.byConnection.delete(connection);
      } else if (note) this.byConnection.get(connection)?.note(note);
      return note ? { connection, dir, ms, text, note } : { connection, dir, ms, text };
    }
    const octets = wireOctets(text, utf8Octets) + 2;
    const line: TranscriptLine = note ? { connection, dir, ms, text, note, octets } : { connection, dir, ms, text, octets };
    this.byConnection.get(connection)?.line(dir, text, ms, octets, line);
    return line;
  }
}

/** Facts for lines that carry only text (a test's hand-written transcript): the path every recorded line takes. */
export function annotateLines(lines: readonly TranscriptLine[], classifiers: LineClassifiers): TranscriptLine[] {
  const annotator = new Annotator(classifiers);
  return lines.map((l) => annotator.annotate(l));
}

/** A tail line held raw: rendered only if it survives to the end. `cost` bounds its text, `octets` is what it stood for on the wire. */
type Pending = { connection: string; dir: TranscriptLine["dir"]; ms: number; bytes: Buffer | string; note?: WireNote; cost: number; octets: number };

/** Octets of text a kept line costs a report: its text in UTF-8 plus a line end. */
export function keptOctets(line: Pick<TranscriptLine, "text">): number {
  return Buffer.byteLength(line.text, "utf8") + 2;
}

export class Transcript {
  private readonly head: TranscriptLine[] = [];
  private headOctets = 0;
  /** The head is closed: by its line count or its octets. */
  private headFull = false;
  /** Raw tail lines from `tailStart` on, made printable only when the transcript is read. */
  private tail: Pending[] = [];
  private tailStart = 0;
  private tailCost = 0;
  private dropped = 0;
  private droppedOctets = 0;
  private readonly secrets: string[];
  private readonly annotator: Annotator;
  /** The omitted-lines note and the tail, annotated once when the transcript is read. */
  private closing: TranscriptLine[] | undefined;
  /** Date.now() that lines are stamped with while pinned (pinClock), else -1: read the clock. */
  private pinnedAt = -1;

  constructor(
    private readonly startedAt: number,
    /** Each head line as it is recorded (the live `wire` event); undefined when nobody reads them live. */
    private readonly onLine: ((line: TranscriptLine) => void) | undefined,
    /** Passwords of the target's users: replaced by *** in every C: line. */
    secrets: string[],
    /** Without them lines carry text and octets only (a capability probe's throwaway transcript). */
    classifiers?: LineClassifiers,
    /** Octets of text kept from the start and from the end; the orchestrator shrinks them once a run's budget is spent. */
    private readonly caps: TranscriptCaps = TEST_TRANSCRIPT_CAPS,
  ) {
    this.annotator = new Annotator(classifiers);
    // Longest first, so a password containing another is redacted whole.
    this.secrets = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  }

  /** Replace every known secret in a client line. */
  redact(text: string): string {
    let out = text;
    // includes() first: nearly every line holds no secret, and split/join allocates per call (runs per step title and C: line).
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /**
   * Record one line; bytes are made printable, client lines redacted. Hands
   * back the text kept for a server line that is printable ASCII (nearly all):
   * the bytes as they came, which is also their UTF-8 decoding, so a reader
   * need not decode them again (runner/session/connection.ts lineText).
   */
  record(connection: string, dir: TranscriptLine["dir"], bytes: Buffer | string): string | undefined {
    return this.add(connection, dir, bytes, undefined);
  }

  /** Record a typed runner note; its text is the note's one wording. */
  note(connection: string, note: WireNote): void {
    this.add(connection, "*", noteText(note), note);
  }

  /**
   * Lines recorded from here to unpinClock() are stamped `at` (a Date.now()
   * reading the caller has just taken) instead of reading the clock again:
   * the executor pins a step's start while the step's synchronous part runs
   * (a send's C: line), a connection the arrival of a chunk while its reader
   * takes lines from it. A clock read costs as much as the rest of a line here.
   */
  pinClock(at: number): void {
    this.pinnedAt = at;
  }

  unpinClock(): void {
    this.pinnedAt = -1;
  }

  get clockPinned(): boolean {
    return this.pinnedAt >= 0;
  }

  private add(connection: string, dir: TranscriptLine["dir"], bytes: Buffer | string, note: WireNote | undefined): string | undefined {
    const ms = (this.pinnedAt >= 0 ? this.pinnedAt : Date.now()) - this.startedAt;
    const sourceOctets = typeof bytes === "string" ? Buffer.byteLength(bytes, "utf8") : bytes.length;
    const octets = dir === "*" ? 0 : sourceOctets + 2;
    if (!this.headFull) {
      let text: string;
      let textOctets: number;
      /** The bytes' own text (printable ASCII, shown as it came), handed back to a reader of a server line. */
      let asCame: string | undefined;
      if (typeof bytes === "string") {
        text = dir === "C" ? this.redact(bytes) : bytes;
        textOctets = text === bytes ? sourceOctets : Buffer.byteLength(text, "utf8");
      } else if (bytes.length <= MAX_TRANSCRIPT_LINE_CHARS && isPrintableAscii(bytes)) {
        // Most lines: shown as they came, one character an octet (what printable() gives them, without its second pass).
        const shown = bytes.toString("latin1");
        text = dir === "C" ? this.redact(shown) : shown;
        textOctets = text === shown ? sourceOctets : Buffer.byteLength(text, "utf8");
        asCame = shown;
      } else {
        text = this.render(dir, bytes);
        textOctets = Buffer.byteLength(text, "utf8");
      }
      const cost = textOctets + 2;
      if (this.headOctets + cost <= this.caps.headOctets) {
        const line = this.annotator.make(connection, dir, ms, text, note, cost - 2);
        this.head.push(line);
        this.headOctets += cost;
        this.onLine?.(line);
        if (this.head.length === MAX_TRANSCRIPT_HEAD_LINES) this.closeHead(connection, ms);
        return asCame;
      }
      // This line would pass the head's octets: it is the first of the tail, already rendered.
      this.closeHead(connection, ms);
      this.pushTail({ connection, dir, ms, bytes: text, ...(note ? { note } : {}), cost, octets });
      return asCame;
    }
    // A copy (the line may be a view into a 20 MB literal), and never more than one rendered line's worth:
    // a line too long to show whole is rendered now, so 400 kept lines of 64 KiB do not cost 25 MB.
    const kept = typeof bytes === "string" ? bytes : bytes.length > MAX_TRANSCRIPT_LINE_CHARS ? printable(bytes, MAX_TRANSCRIPT_LINE_CHARS) : Buffer.from(bytes);
    // Printable ASCII renders one character an octet; escapes cost more, and close() trims by the rendered text.
    this.pushTail({ connection, dir, ms, bytes: kept, ...(note ? { note } : {}), cost: Math.min(kept.length, MAX_TRANSCRIPT_LINE_CHARS) + 2, octets });
    return undefined;
  }

  private closeHead(connection: string, ms: number): void {
    this.headFull = true;
    const limit: WireNote = { kind: "transcript-limit" };
    this.onLine?.({ connection, dir: "*", ms, text: noteText(limit), note: limit });
  }

  /** Keep the newest tail lines within both bounds (at least the last line); count the ones that fall out. */
  private pushTail(line: Pending): void {
    this.tail.push(line);
    this.tailCost += line.cost;
    this.closing = undefined;
    while (this.tail.length - this.tailStart > 1 && (this.tail.length - this.tailStart > MAX_TRANSCRIPT_TAIL_LINES || this.tailCost > this.caps.tailOctets)) {
      this.drop(this.tail[this.tailStart++]!);
    }
    // Dropped entries are released in batches: one copy per half of the array, not one shift per line.
    if (this.tailStart > 256 && this.tailStart * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailStart);
      this.tailStart = 0;
    }
  }

  private drop(line: Pick<Pending, "cost" | "octets">): void {
    this.tailCost -= line.cost;
    this.dropped++;
    this.droppedOctets += line.octets;
  }

  /** Record client bytes split into lines at CRLF (several lines may go out in one write). */
  recordSent(connection: string, bytes: Buffer): void {
    forEachWireLine(bytes, (line) => this.record(connection, "C", line));
  }

  /**
   * Record a block of server bytes (an IMAP literal) line by line, one line
   * at a time: a 20 MB literal of short lines never exists as an array of
   * 300k views, and all but the head and tail lines are dropped as they pass.
   */
  recordBlock(connection: string, bytes: Buffer): void {
    forEachWireLine(bytes, (line) => this.record(connection, "S", line));
  }

  /** The kept lines; read once, at the end of the test (the tail's classification continues from the head's). */
  lines(): TranscriptLine[] {
    this.closing ??= this.close();
    return [...this.head, ...this.closing];
  }

  private close(): TranscriptLine[] {
    // Rendered now, newest first, until the tail's octets are spent: the estimate while recording undercounts escapes.
    const rendered: { line: Pending; text: string }[] = [];
    let cost = 0;
    let i = this.tail.length - 1;
    for (; i >= this.tailStart; i--) {
      const line = this.tail[i]!;
      const text = this.render(line.dir, line.bytes);
      const c = Buffer.byteLength(text, "utf8") + 2;
      if (rendered.length > 0 && cost + c > this.caps.tailOctets) break;
      cost += c;
      rendered.push({ line, text });
    }
    let dropped = this.dropped;
    let droppedOctets = this.droppedOctets;
    for (; i >= this.tailStart; i--) {
      dropped++;
      droppedOctets += this.tail[i]!.octets;
    }
    rendered.reverse();
    const out: TranscriptLine[] = [];
    if (dropped > 0 || rendered.length > 0) {
      const first = rendered[0]?.line;
      const omitted: WireNote = { kind: "omitted", lines: dropped, octets: droppedOctets, ...(this.caps.runBudget ? { runBudget: true as const } : {}) };
      out.push({ connection: first?.connection ?? "main", dir: "*", ms: first?.ms ?? 0, text: noteText(omitted), note: omitted });
    }
    for (const { line, text } of rendered) {
      const { connection, dir, ms, note } = line;
      out.push(this.annotator.make(connection, dir, ms, text, note));
    }
    return out;
  }

  private render(dir: TranscriptLine["dir"], bytes: Buffer | string): string {
    const text = typeof bytes === "string" ? bytes : printable(bytes, MAX_TRANSCRIPT_LINE_CHARS);
    return dir === "C" ? this.redact(text) : text;
  }
}

/** Lines of a sent chunk: split after each CRLF; a final fragment without CRLF is a line of its own. */
export function splitWireLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  forEachWireLine(bytes, (line) => lines.push(line));
  return lines;
}

/** splitWireLines without the array: each line (a view) handed to `each` in turn. */
export function forEachWireLine(bytes: Buffer, each: (line: Buffer) => void): void {
  let start = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, start);
    if (lf === -1) break;
    const crlf = lf > start && bytes[lf - 1] === 0x0d;
    // A bare LF is kept visible in the line (as \n) so malformed-input tests show what they sent.
    each(crlf ? bytes.subarray(start, lf - 1) : bytes.subarray(start, lf + 1));
    start = lf + 1;
  }
  if (start < bytes.length) each(bytes.subarray(start));
}

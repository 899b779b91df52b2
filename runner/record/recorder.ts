// The wire of one proxied session as protocol units: client and server
// lines, and literals (IMAP {n}) as raw octets, in the order they crossed.
// Each line carries the facts the runner's transcript lines carry (code,
// status, tag, role...), from the same protocol line classifiers. Fed chunk
// by chunk from the proxy; stops at a STARTTLS / STLS go-ahead, after which
// the bytes are TLS and opaque to a transparent proxy.
// Standards: RFC 5321 §2.3.8 (CRLF lines), RFC 1939 §3, RFC 3501 §4.3 (literals),
// RFC 3207 §4, RFC 2595 §4, RFC 3501 §6.2.1 (STARTTLS).

import type { Protocol } from "../model/ast.ts";
import { LINE_CLASSIFIERS } from "../protocols/line-classifiers.ts";
import type { LineClassifier, LineFacts } from "../session/transcript.ts";

/** A line as it crossed (UTF-8, not escaped), with its place in the dialogue. */
export type LineUnit = { dir: "C" | "S"; kind: "line"; text: string } & LineFacts;

export type WireUnit =
  | LineUnit
  | { dir: "C" | "S"; kind: "literal"; bytes: Buffer }
  | { dir: "*"; kind: "tls" }
  | { dir: "*"; kind: "closed"; by: "C" | "S" };

/** What a Direction cuts off its byte stream, before classification. */
type Crossed = { dir: "C" | "S"; kind: "line"; text: string } | Extract<WireUnit, { kind: "literal" }>;

/** A line longer than this is recorded as it is cut; a recording is for people, not for floods. */
const MAX_RECORDED_LINE_OCTETS = 64 * 1024;
const LITERAL = /\{(\d+)\+?\}$/;

class Direction {
  private buffer = Buffer.alloc(0);
  /** Octets of a literal still expected in this direction. */
  literal = 0;
  private literalParts: Buffer[] = [];

  constructor(
    private readonly dir: "C" | "S",
    private readonly emit: (u: Crossed) => void,
    private readonly imap: boolean,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.literal > 0) {
        if (this.buffer.length === 0) return;
        const take = this.buffer.subarray(0, this.literal);
        this.literalParts.push(take);
        this.literal -= take.length;
        this.buffer = this.buffer.subarray(take.length);
        if (this.literal === 0) {
          this.emit({ dir: this.dir, kind: "literal", bytes: Buffer.concat(this.literalParts) });
          this.literalParts = [];
        }
        continue;
      }
      const lf = this.buffer.indexOf(0x0a);
      if (lf < 0) {
        if (this.buffer.length > MAX_RECORDED_LINE_OCTETS) {
          this.line(this.buffer);
          this.buffer = Buffer.alloc(0);
        }
        return;
      }
      const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
      this.line(this.buffer.subarray(0, end));
      this.buffer = this.buffer.subarray(lf + 1);
    }
  }

  private line(bytes: Buffer): void {
    const text = bytes.toString("utf8");
    this.emit({ dir: this.dir, kind: "line", text });
    const m = this.imap ? LITERAL.exec(text) : null;
    if (m) this.literal = Number(m[1]);
  }
}

export class SessionRecorder {
  readonly units: WireUnit[] = [];
  private readonly client: Direction;
  private readonly server: Direction;
  private readonly classifier: LineClassifier;
  /** True once TLS began: later bytes are not recorded. */
  opaque = false;

  constructor(readonly protocol: Protocol) {
    const emit = (u: Crossed) => this.onUnit(u);
    this.client = new Direction("C", emit, protocol === "imap");
    this.server = new Direction("S", emit, protocol === "imap");
    this.classifier = LINE_CLASSIFIERS[protocol]();
  }

  feed(dir: "C" | "S", chunk: Buffer): void {
    if (this.opaque) return;
    (dir === "C" ? this.client : this.server).push(chunk);
  }

  closed(by: "C" | "S"): void {
    if (!this.units.some((u) => u.kind === "closed")) this.units.push({ dir: "*", kind: "closed", by });
  }

  private onUnit(u: Crossed): void {
    if (this.opaque) return;
    if (u.kind === "literal") {
      // The classifier counts a literal's octets off as the engine's transcript does: a server literal is announced by a note.
      if (u.dir === "S") this.classifier.note({ kind: "literal", octets: u.bytes.length });
      this.classifier.line(u.dir, "", 0, u.bytes.length, {});
      this.units.push(u);
      return;
    }
    const line: LineUnit = { ...u };
    this.classifier.line(u.dir, u.text, 0, Buffer.byteLength(u.text) + 2, line);
    this.units.push(line);
    if (line.tlsGoAhead) {
      this.opaque = true;
      this.units.push({ dir: "*", kind: "tls" });
    }
  }
}

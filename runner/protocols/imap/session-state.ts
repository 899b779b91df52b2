// Per-connection IMAP state the runner keeps: tag counter, commands awaiting
// completion, and untagged responses and continuation requests read but not
// yet claimed by an expect (so "session B appends, A sees EXISTS after NOOP"
// works). Reads one response at a time and routes it to where it belongs.
// One ImapState per connection, made when the driver opens its session. It
// also keeps the sequence numbers a test tracks current (./sequence-numbers.ts).
// Standards: RFC 3501 §2.2.1–§2.2.2 (tags, untagged data at any time), §7.5 (continuation requests), RFC 4978 §3 (COMPRESS).

import type { Connection, PullUnit } from "../../session/connection.ts";
import { StepFailure } from "../../session/step-failure.ts";
import { REDACTED } from "../../session/transcript.ts";
import type { Deadline } from "../../../wire/deadline.ts";
import { ImapResponseAssembler, ImapSyntaxError, parseResponse, type ImapResponse } from "../../../wire/imap-tokens.ts";
import { printable } from "../../../wire/printable.ts";
import { SequenceNumbers } from "./sequence-numbers.ts";

export interface PendingCommand {
  tag: string;
  /** The command as shown in the transcript. */
  command: string;
  /** A continuation request was received for it (IDLE, AUTHENTICATE, a literal). */
  continued: boolean;
  /** Sent with a non-synchronizing literal as its last: the server does not answer it with "+" (RFC 7888 §3). */
  nonSyncLiteral?: boolean;
  completion?: Extract<ImapResponse, { kind: "tagged" }>;
}

/** A tagged COMPRESS DEFLATE command (RFC 4978 §5: case-insensitive), whose OK switches the connection to DEFLATE. */
const COMPRESS_DEFLATE = /^\S+ COMPRESS DEFLATE$/i;

/** AUTHENTICATE initial responses written by hand in a suite are credentials. */
export function shownCommand(line: string): string {
  const auth = /^(\S+\s+AUTHENTICATE\s+\S+)\s+\S/i.exec(line);
  return auth ? `${auth[1]} ${REDACTED}` : line;
}

/** One response at a time for Connection.pull(), waiting out a literal's octets: made once per connection. */
class ResponseUnit implements PullUnit<Buffer> {
  constructor(
    private readonly assembler: ImapResponseAssembler,
    private readonly conn: Connection,
  ) {}

  take(): Buffer | null {
    return this.assembler.next(this.conn.buffer);
  }

  waitingOctets(): number {
    return this.assembler.pendingLiteralOctets;
  }
}

export class ImapState {
  readonly assembler: ImapResponseAssembler;
  private tags = 1;
  pending: PendingCommand[] = [];
  untagged: Extract<ImapResponse, { kind: "untagged" }>[] = [];
  continuations: Extract<ImapResponse, { kind: "continuation" }>[] = [];
  /** Octets of the untagged queue: one expect may not collect more than the reply limit (and no more than maxUntaggedResponses of them). */
  queuedOctets = 0;
  bareLf = false;
  /** An untagged `send` (tag: none) that may be answered by "+" (a literal sent by hand). */
  expectingContinuation = false;
  /** Captured sequence numbers kept current across EXPUNGE / VANISHED (`sequence-numbers:`). */
  readonly sequences = new SequenceNumbers();
  /** What readAndRoute pulls off the connection. */
  private readonly responses: ResponseUnit;

  constructor(readonly conn: Connection) {
    this.assembler = new ImapResponseAssembler(
      { maxLineOctets: conn.limits.maxLineOctets, maxLiteralOctets: conn.limits.maxReplyOctets, maxResponseOctets: conn.limits.maxReplyOctets },
      (part) => {
        if (part.kind === "literal") {
          conn.transcript.note(conn.name, { kind: "literal", octets: part.bytes.length });
          conn.transcript.recordBlock(conn.name, part.bytes);
          return;
        }
        if (part.ending !== "crlf") this.bareLf = true;
        conn.transcript.record(conn.name, "S", part.ending === "crlf" ? part.bytes : Buffer.concat([part.bytes, Buffer.from("\n")]));
      },
    );
    this.responses = new ResponseUnit(this.assembler, conn);
  }

  /** A fresh tag: A1, A2, … per connection. */
  nextTag(): string {
    return `A${this.tags++}`;
  }

  /** Send a command line, credentials masked in what is shown. */
  sendCommand(line: string): void {
    this.conn.sendCommand(line, shownCommand(line));
  }

  /** Send a tagged command and wait for its completion. */
  async simpleCommand(deadline: Deadline, verb: string): Promise<NonNullable<PendingCommand["completion"]>> {
    const tag = this.nextTag();
    const pending: PendingCommand = { tag, command: `${tag} ${verb}`, continued: false };
    this.pending.push(pending);
    this.sendCommand(pending.command);
    await this.readUntil(deadline, `the completion of ${tag} ${verb}`, () => pending.completion !== undefined);
    this.pending.splice(this.pending.indexOf(pending), 1);
    return pending.completion!;
  }

  /** Read one response and file it: completion of its command, untagged queue, or continuation queue. */
  async readAndRoute(deadline: Deadline, what: string): Promise<ImapResponse> {
    const conn = this.conn;
    const bytes = await conn.pull(this.responses, deadline, what);
    if (this.bareLf) {
      this.bareLf = false;
      throw new StepFailure("protocol-violation", "response line ended by a bare LF instead of CRLF (RFC 3501 §2.2)", "lines ended by CRLF", printable(bytes, 300));
    }
    let response: ImapResponse;
    try {
      response = parseResponse(bytes);
    } catch (error) {
      if (error instanceof ImapSyntaxError) {
        throw new StepFailure("protocol-violation", `malformed IMAP response: ${error.message} (RFC 3501 §9)`, "an IMAP response", printable(bytes, 300));
      }
      throw error;
    }
    switch (response.kind) {
      case "tagged": {
        const command = this.pending.find((p) => p.tag === response.tag && p.completion === undefined);
        if (!command) {
          throw new StepFailure("protocol-violation", `tagged response for tag "${response.tag}", which no pending command carries (RFC 3501 §2.2.1)`, `a tag among: ${this.pending.map((p) => p.tag).join(", ") || "(none pending)"}`, printable(bytes, 300));
        }
        command.completion = response;
        // RFC 4978 §3: after the OK to COMPRESS DEFLATE both directions are compressed, starting right after its CRLF.
        if (response.status === "OK" && COMPRESS_DEFLATE.test(command.command)) conn.startCompression();
        if (this.sequences.active) this.sequences.completed(command.command);
        break;
      }
      case "untagged": {
        // Bounded by what is held (responses and octets), not by the step's time: a flood fails as it outgrows any real server.
        this.queuedOctets += bytes.length;
        const waiting = this.pending.find((p) => p.completion === undefined);
        const completion = waiting ? `the tagged completion of ${waiting.tag}` : "an expect taking them";
        if (this.untagged.length >= conn.limits.maxUntaggedResponses) {
          throw new StepFailure("protocol-violation", `untagged flood: more than ${conn.limits.maxUntaggedResponses} responses without ${completion}`, completion, `${this.untagged.length + 1} untagged responses, the latest ${printable(bytes, 100)}`);
        }
        if (this.queuedOctets > conn.limits.maxReplyOctets) {
          throw new StepFailure("protocol-violation", `untagged responses exceed ${conn.limits.maxReplyOctets} octets without ${completion}`, completion, `${this.untagged.length + 1} untagged responses`);
        }
        // Read order is the order the server renumbered in: tracked captures follow each EXPUNGE as it arrives.
        if (this.sequences.active) this.sequences.observe(response);
        this.untagged.push(response);
        break;
      }
      case "continuation": {
        // A continuation request answers a command (literal, AUTHENTICATE, IDLE); one out of the blue is not IMAP.
        const waiting = [...this.pending].reverse().find((p) => p.completion === undefined);
        if (!waiting && !this.expectingContinuation) {
          throw new StepFailure("protocol-violation", "continuation request (+) while no command is pending (RFC 3501 §7.5)", "an untagged greeting or response", printable(bytes, 300));
        }
        if (waiting?.nonSyncLiteral && !this.expectingContinuation) {
          throw new StepFailure("protocol-violation", `continuation request (+) for ${waiting.tag}'s non-synchronizing literal (RFC 7888 §3: the server does not send one)`, "no continuation request", printable(bytes, 300));
        }
        if (waiting) waiting.continued = true;
        this.continuations.push(response);
        break;
      }
    }
    return response;
  }

  /** Read and route responses until `done()` holds. */
  async readUntil(deadline: Deadline, what: string, done: () => boolean): Promise<void> {
    while (!done()) await this.readAndRoute(deadline, what);
  }

  /** Take every queued untagged response (an expect owns them from here). */
  takeUntagged(): ImapState["untagged"] {
    this.queuedOctets = 0;
    return this.untagged.splice(0);
  }

  /** Forget what arrived before a TLS upgrade: plaintext data cannot be trusted afterwards (RFC 3501 §6.2.1). */
  resetAfterTls(): void {
    this.untagged = [];
    this.continuations = [];
    this.queuedOctets = 0;
  }
}

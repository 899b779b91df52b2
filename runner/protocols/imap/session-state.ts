// Per-connection IMAP state the runner keeps: tag counter, commands awaiting
// completion, and untagged responses and continuation requests read but not
// yet claimed by an expect (so "session B appends, A sees EXISTS after NOOP"
// works). Reads one response at a time and routes it to where it belongs.
// Standards: RFC 3501 §2.2.1–§2.2.2 (tags, untagged data at any time), §7.5 (continuation requests).

import type { Connection } from "../../session/connection.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { Deadline } from "../../../wire/deadline.ts";
import { ImapResponseAssembler, ImapSyntaxError, parseResponse, type ImapResponse } from "../../../wire/imap-tokens.ts";
import { printable } from "../../../wire/printable.ts";

export interface PendingCommand {
  tag: string;
  /** The command as shown in the transcript. */
  command: string;
  /** A continuation request was received for it (IDLE, AUTHENTICATE, a literal). */
  continued: boolean;
  completion?: Extract<ImapResponse, { kind: "tagged" }>;
}

export interface ImapState {
  assembler: ImapResponseAssembler;
  nextTag: number;
  pending: PendingCommand[];
  untagged: Extract<ImapResponse, { kind: "untagged" }>[];
  continuations: Extract<ImapResponse, { kind: "continuation" }>[];
  /** Octets of the untagged queue: one expect may not collect more than the reply limit (and no more than maxUntaggedResponses of them). */
  queuedOctets: number;
  bareLf: boolean;
  /** An untagged `send` (tag: none) that may be answered by "+" (a literal sent by hand). */
  expectingContinuation: boolean;
}

const states = new WeakMap<Connection, ImapState>();

export function imapState(conn: Connection): ImapState {
  let state = states.get(conn);
  if (!state) {
    const fresh: ImapState = {
      assembler: new ImapResponseAssembler(
        { maxLineOctets: conn.limits.maxLineOctets, maxLiteralOctets: conn.limits.maxReplyOctets, maxResponseOctets: conn.limits.maxReplyOctets },
        (part) => {
          if (part.kind === "literal") {
            conn.transcript.record(conn.name, "*", `literal of ${part.bytes.length} octets:`);
            conn.transcript.recordBlock(conn.name, part.bytes);
            return;
          }
          if (part.ending !== "crlf") fresh.bareLf = true;
          conn.transcript.record(conn.name, "S", part.ending === "crlf" ? part.bytes : Buffer.concat([part.bytes, Buffer.from("\n")]));
        },
      ),
      nextTag: 1,
      pending: [],
      untagged: [],
      continuations: [],
      queuedOctets: 0,
      bareLf: false,
      expectingContinuation: false,
    };
    state = fresh;
    states.set(conn, state);
  }
  return state;
}

/** A fresh tag: A1, A2, … per connection. */
export function nextTag(conn: Connection): string {
  const state = imapState(conn);
  return `A${state.nextTag++}`;
}

/** Read one response and file it: completion of its command, untagged queue, or continuation queue. */
export async function readAndRoute(conn: Connection, deadline: Deadline, what: string): Promise<ImapResponse> {
  const state = imapState(conn);
  const bytes = await conn.pull(() => state.assembler.next(conn.buffer), deadline, what, () => state.assembler.pendingLiteralOctets);
  if (state.bareLf) {
    state.bareLf = false;
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
      const command = state.pending.find((p) => p.tag === response.tag && p.completion === undefined);
      if (!command) {
        throw new StepFailure("protocol-violation", `tagged response for tag "${response.tag}", which no pending command carries (RFC 3501 §2.2.1)`, `a tag among: ${state.pending.map((p) => p.tag).join(", ") || "(none pending)"}`, printable(bytes, 300));
      }
      command.completion = response;
      break;
    }
    case "untagged": {
      // Bounded by what is held (responses and octets), not by the step's time: a flood fails as it outgrows any real server.
      state.queuedOctets += bytes.length;
      const waiting = state.pending.find((p) => p.completion === undefined);
      const completion = waiting ? `the tagged completion of ${waiting.tag}` : "an expect taking them";
      if (state.untagged.length >= conn.limits.maxUntaggedResponses) {
        throw new StepFailure("protocol-violation", `untagged flood: more than ${conn.limits.maxUntaggedResponses} responses without ${completion}`, completion, `${state.untagged.length + 1} untagged responses, the latest ${printable(bytes, 100)}`);
      }
      if (state.queuedOctets > conn.limits.maxReplyOctets) {
        throw new StepFailure("protocol-violation", `untagged responses exceed ${conn.limits.maxReplyOctets} octets without ${completion}`, completion, `${state.untagged.length + 1} untagged responses`);
      }
      state.untagged.push(response);
      break;
    }
    case "continuation": {
      // A continuation request answers a command (literal, AUTHENTICATE, IDLE); one out of the blue is not IMAP.
      const waiting = [...state.pending].reverse().find((p) => p.completion === undefined);
      if (!waiting && !state.expectingContinuation) {
        throw new StepFailure("protocol-violation", "continuation request (+) while no command is pending (RFC 3501 §7.5)", "an untagged greeting or response", printable(bytes, 300));
      }
      if (waiting) waiting.continued = true;
      state.continuations.push(response);
      break;
    }
  }
  return response;
}

/** Read and route responses until `done()` holds. */
export async function readUntil(conn: Connection, deadline: Deadline, what: string, done: () => boolean): Promise<void> {
  while (!done()) await readAndRoute(conn, deadline, what);
}

/** Take every queued untagged response (an expect owns them from here). */
export function takeUntagged(conn: Connection): ImapState["untagged"] {
  const state = imapState(conn);
  state.queuedOctets = 0;
  return state.untagged.splice(0);
}

/** Forget what arrived before a TLS upgrade: plaintext data cannot be trusted afterwards (RFC 3501 §6.2.1). */
export function resetAfterTls(conn: Connection): void {
  const state = imapState(conn);
  state.untagged = [];
  state.continuations = [];
  state.queuedOctets = 0;
}

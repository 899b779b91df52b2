// Reads POP3 responses: the status line (+OK / -ERR, exact case, optional
// [response code], at most 512 octets) and multiline bodies up to the lone
// ".", dot-unstuffed by the shared codec; bounded by the reply limit.
// Hands results to ./matchers/ and the SASL framing in ./auth.ts.
// Standards: RFC 1939 §3 (status indicators, 512 octets, multiline), RFC 2449 §4 (response length), §8 (response codes).

import type { Connection, PullUnit } from "../../session/connection.ts";
import { StepFailure } from "../../session/step-failure.ts";
import type { Deadline } from "../../../wire/deadline.ts";
import { unstuffLine } from "../../../wire/dot-stuffing.ts";
import { printable } from "../../../wire/printable.ts";

/** RFC 2449 §4: "The maximum length of the first line of a command response (including the initial greeting) is unchanged at 512 octets (including the terminating CRLF)." */
export const MAX_RESPONSE_LINE_OCTETS = 512;

export interface Pop3Status {
  status: "+OK" | "-ERR";
  /** RFC 2449 response code without brackets ("IN-USE", "SYS/TEMP"). */
  code?: string;
  /** Text after the status and code. */
  text: string;
  /** The whole line, printable. */
  line: string;
}

/** status line: ("+OK" / "-ERR") [SP ["[" resp-code "]" SP] text] */
const STATUS_LINE = /^(\+OK|-ERR)(?: (?:\[([^\]]*)\] ?)?(.*))?$/s;

export function parseStatusLine(bytes: Buffer): Pop3Status {
  const line = printable(bytes, 512);
  if (bytes.length + 2 > MAX_RESPONSE_LINE_OCTETS) {
    throw new StepFailure(
      "protocol-violation",
      `response line of ${bytes.length + 2} octets exceeds ${MAX_RESPONSE_LINE_OCTETS} (RFC 1939 §3, RFC 2449 §4)`,
      `at most ${MAX_RESPONSE_LINE_OCTETS} octets including CRLF`,
      line,
    );
  }
  const text = bytes.toString("utf8");
  const match = STATUS_LINE.exec(text);
  if (!match) {
    const message = /^(\+OK|-ERR)\b/i.test(text)
      ? "status indicator must be \"+OK\" or \"-ERR\" in upper case (RFC 1939 §3)"
      : "not a POP3 status line: it must start with \"+OK\" or \"-ERR\" (RFC 1939 §3)";
    throw new StepFailure("protocol-violation", message, "+OK or -ERR", line);
  }
  const status: Pop3Status = { status: match[1] as Pop3Status["status"], text: match[3] ?? "", line };
  if (match[2] !== undefined) status.code = match[2];
  return status;
}

export async function readStatus(conn: Connection, deadline: Deadline, what = "a POP3 response"): Promise<Pop3Status> {
  return parseStatusLine(await conn.readLine(deadline, what));
}

/** A multiline body as read: always counted; its lines kept only when a matcher reads them. */
export interface Pop3Body {
  /** Dot-unstuffed lines up to (not including) the lone "."; null when the step asked only for counts. */
  lines: Buffer[] | null;
  lineCount: number;
  /** RFC 1939 §5 / §11 size: dot-unstuffed, CRLF line ends, without the terminator. */
  octets: number;
  /** The first lines, for failure messages, kept even when `lines` is not. */
  head: Buffer[];
}

/** Lines of a body a failure message quotes. */
export const QUOTED_BODY_LINES = 10;

const TERMINATOR = "the end of a multiline response (a lone \".\")";

/**
 * One body collected as its lines arrive: conn.pull() calls take() until the
 * lone "." (one pull per body, not an async read per line). Wire octets are
 * bounded by maxReplyOctets; kept lines by maxBodyLines / maxBodyOctets, so
 * a gigabyte RETR costs the read-ahead buffer, not the body.
 */
class BodyAssembler implements PullUnit<Pop3Body> {
  private readonly body: Pop3Body;
  private wireOctets = 0;
  /** In "header" mode: the empty line that ends the header has been read; later lines are counted, not kept. */
  private headerDone = false;

  constructor(
    private readonly conn: Connection,
    private readonly keep: BodyKeep,
  ) {
    this.body = { lines: keep === false ? null : [], lineCount: 0, octets: 0, head: [] };
  }

  take(what: string): Pop3Body | null {
    const { conn, body } = this;
    const { maxReplyOctets, maxBodyLines, maxBodyOctets } = conn.limits;
    for (;;) {
      const line = conn.takeLine(what);
      if (line === null) return null;
      const unstuffed = unstuffLine(line);
      if (unstuffed === "end") return body;
      this.wireOctets += line.length + 2;
      if (this.wireOctets > maxReplyOctets) {
        throw new StepFailure("protocol-violation", `multiline response longer than ${maxReplyOctets} octets`, "a lone \".\"", `${body.lineCount} lines, no terminator`);
      }
      body.lineCount++;
      body.octets += unstuffed.length + 2;
      if (body.head.length < QUOTED_BODY_LINES) body.head.push(unstuffed);
      if (body.lines === null || this.headerDone) continue;
      if (this.keep === "header" && unstuffed.length === 0) {
        this.headerDone = true;
        continue;
      }
      if (body.lineCount > maxBodyLines || body.octets > maxBodyOctets) {
        const bound = body.lineCount > maxBodyLines ? `${maxBodyLines} lines` : `${maxBodyOctets} octets`;
        throw new StepFailure("protocol-violation", `multiline response longer than ${bound}, the most a body matcher keeps`, `at most ${bound} before a lone "."`, `${body.lineCount} lines, no terminator yet`);
      }
      body.lines.push(unstuffed);
    }
  }
}

/**
 * Which lines of a body are kept: all, none (counted only), or the message's
 * header — the lines before the first empty one (RFC 5322 §2.1), so a whole
 * message read for its header costs no more than its header.
 */
export type BodyKeep = boolean | "header";

/** Read a multiline body to its lone "."; `keep` false counts it without keeping its lines. */
export function readBody(conn: Connection, deadline: Deadline, keep: BodyKeep = true): Promise<Pop3Body> {
  const body = new BodyAssembler(conn, keep);
  return conn.pull(body, deadline, TERMINATOR);
}

// Reads POP3 responses: the status line (+OK / -ERR, exact case, optional
// [response code], at most 512 octets) and multiline bodies up to the lone
// ".", dot-unstuffed by the shared codec; bounded by the reply limit.
// Hands results to ./matchers/ and the SASL framing in ./auth.ts.
// Standards: RFC 1939 §3 (status indicators, 512 octets, multiline), RFC 2449 §4 (response length), §8 (response codes).

import type { Connection } from "../../exec/connection.ts";
import { StepFailure } from "../../exec/step-failure.ts";
import type { Deadline } from "../../wire/deadline.ts";
import { unstuffLine } from "../../wire/dot-stuffing.ts";
import { noteStatusLine } from "./greeting.ts";
import { printable } from "../../wire/printable.ts";

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
  const status = parseStatusLine(await conn.readLine(deadline, what));
  noteStatusLine(conn, status);
  return status;
}

/** The lines of a multiline body, dot-unstuffed, up to (not including) the lone ".". */
export async function readBody(conn: Connection, deadline: Deadline): Promise<Buffer[]> {
  const lines: Buffer[] = [];
  let octets = 0;
  for (;;) {
    const line = await conn.readLine(deadline, "the end of a multiline response (a lone \".\")");
    const unstuffed = unstuffLine(line);
    if (unstuffed === "end") return lines;
    octets += line.length + 2;
    if (octets > conn.limits.maxReplyOctets) {
      throw new StepFailure("protocol-violation", `multiline response longer than ${conn.limits.maxReplyOctets} octets`, "a lone \".\"", `${lines.length} lines, no terminator`);
    }
    lines.push(unstuffed);
  }
}

// The greeting of each POP3 connection, kept for APOP: the first status line
// read on a connection, whether the driver read it or a suite's `expect` did.
// The probe turns a greeting with a timestamp into the pseudo-capability APOP.
// Standards: RFC 1939 §4 (one-line greeting), §7 (APOP timestamp in msg-id form, RFC 822).

import type { Connection } from "../../session/connection.ts";
import type { Pop3Status } from "./reader.ts";

const greetings = new WeakMap<Connection, string>();

/** Call with every status line read; only the first one on a connection is the greeting. */
export function noteStatusLine(conn: Connection, status: Pop3Status): void {
  if (!greetings.has(conn)) greetings.set(conn, status.text);
}

/**
 * The APOP timestamp of the greeting: msg-id = "<" addr-spec ">" (RFC 822
 * §6.1, as RFC 1939 §7 asks), e.g. <1896.697170952@dbc.mtview.ca.us>; null
 * when the server offers none (it then does not support APOP).
 */
export function apopTimestamp(conn: Connection): string | null {
  const text = greetings.get(conn);
  const match = text === undefined ? null : /<[^<>\s]+@[^<>\s]+>/.exec(text);
  return match ? match[0] : null;
}

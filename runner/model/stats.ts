// Protocol statistics of a run (the lecture's "Protokollanalysen und
// Statistiken"): per protocol, command latencies, reply-code distribution,
// octets each way, connection setup and TLS handshake times. Computed by
// runner/stats/ from the wire transcripts; carried on run-end. Types only.

import type { Protocol } from "./ast.ts";

/** A sample of durations in ms (transcript resolution: whole milliseconds). */
export interface Distribution {
  count: number;
  min: number;
  median: number;
  p95: number;
  max: number;
}

export interface ProtocolStats {
  /** Connections opened (a `connecting to` note each). */
  connections: number;
  /** Command verb (upper case) → time from the command line to the first line of its reply. */
  latency: Record<string, Distribution>;
  /** All commands together. */
  allCommands?: Distribution;
  /**
   * Replies by class: SMTP "2yz" "3yz" "4yz" "5yz"; POP3 "+OK" "-ERR";
   * IMAP tagged "OK" "NO" "BAD" (and "BYE" / "PREAUTH" greetings); "+" continuations everywhere.
   */
  replies: Record<string, number>;
  /** Octets as recorded in the transcript: each line plus CRLF (passwords redacted, escapes counted as one octet). */
  bytesSent: number;
  bytesReceived: number;
  /** TCP connect until the greeting's first line (plain and STARTTLS endpoints). */
  connect?: Distribution;
  /** STARTTLS: the go-ahead reply until the handshake finished; implicit TLS: connect until the handshake finished. */
  tlsHandshake?: Distribution;
}

export type RunStats = Partial<Record<Protocol, ProtocolStats>>;

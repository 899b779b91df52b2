// Protocol statistics from the typed wire events of a run's results: per
// protocol, latency per command verb, reply-code distribution, octets each
// way, connection setup and TLS handshake times. Reads only the facts the
// engine recorded on each line (runner/model/result.ts TranscriptLine: the
// connect and TLS notes, octets, the reply a line starts and its status), so
// a saved JSON report or a merged set of shards gives the same figures as the
// live run. Where a line sits in the dialogue is the protocols' line
// classifiers' business (runner/protocols/<protocol>/line-classifier.ts).
// Standards: RFC 5321 §4.2 (reply classes), RFC 3207 / RFC 2595 / RFC 8314 (STARTTLS, implicit TLS).

import type { Protocol, TlsMode } from "../model/ast.ts";
import type { TestResult, TranscriptLine } from "../model/result.ts";
import type { ProtocolStats, RunStats } from "../model/stats.ts";
import { distribution } from "./measure.ts";

interface Samples {
  latency: Map<string, number[]>;
  replies: Map<string, number>;
  sent: number;
  received: number;
  connections: number;
  connect: number[];
  tls: number[];
}

/** What a connection's notes said, and when its TLS handshake began. */
interface ConnectionState {
  protocol: Protocol;
  tls: TlsMode;
  connectingAt: number;
  /** A reply has started (the greeting or an answer): an implicit-TLS handshake is over by then. */
  greeted: boolean;
  /** When the server said go ahead to STARTTLS / STLS. */
  tlsGoAheadAt?: number;
}

export function computeStats(results: readonly TestResult[]): RunStats {
  const samples = new Map<Protocol, Samples>();
  const of = (p: Protocol): Samples => {
    let s = samples.get(p);
    if (!s) {
      s = { latency: new Map(), replies: new Map(), sent: 0, received: 0, connections: 0, connect: [], tls: [] };
      samples.set(p, s);
    }
    return s;
  };
  for (const r of results) {
    const conns = new Map<string, ConnectionState>();
    for (const line of r.transcript) {
      if (line.dir === "*") note(line, conns, of);
      else {
        const s = conns.get(line.connection);
        if (s) wireLine(line, s, of(s.protocol));
      }
    }
  }
  const out: RunStats = {};
  for (const p of ["smtp", "pop3", "imap", "lmtp"] as const) {
    const s = samples.get(p);
    if (s) out[p] = summarise(s);
  }
  return out;
}

function note(line: TranscriptLine, conns: Map<string, ConnectionState>, of: (p: Protocol) => Samples): void {
  const n = line.note;
  if (n?.kind === "connect") {
    conns.set(line.connection, { protocol: n.protocol, tls: n.tls, connectingAt: line.ms, greeted: false });
    of(n.protocol).connections++;
    return;
  }
  const s = conns.get(line.connection);
  if (n?.kind !== "tls-established" || !s) return;
  if (s.tlsGoAheadAt !== undefined) of(s.protocol).tls.push(line.ms - s.tlsGoAheadAt);
  else if (s.tls === "implicit" && !s.greeted) of(s.protocol).tls.push(line.ms - s.connectingAt);
  s.tlsGoAheadAt = undefined;
}

function wireLine(line: TranscriptLine, s: ConnectionState, samples: Samples): void {
  if (line.dir === "C") samples.sent += line.octets ?? 0;
  else samples.received += line.octets ?? 0;
  if (line.dir !== "S") return;
  if (line.greeting) samples.connect.push(line.ms - s.connectingAt);
  if (line.greeting || line.waitedMs !== undefined) s.greeted = true;
  if (line.verb !== undefined && line.waitedMs !== undefined) add(samples.latency, line.verb || "(empty)", line.waitedMs);
  const kind = replyKind(s.protocol, line);
  if (kind !== undefined) samples.replies.set(kind, (samples.replies.get(kind) ?? 0) + 1);
  if (line.tlsGoAhead) s.tlsGoAheadAt = line.ms;
}

/**
 * One count per reply: SMTP by class at its final line (the code repeats on
 * every line), POP3 and IMAP by the status the line carries, "+" for a
 * continuation request everywhere.
 */
function replyKind(protocol: Protocol, line: TranscriptLine): string | undefined {
  if (line.role === "continue") return "+";
  if (protocol === "smtp" || protocol === "lmtp") return line.code !== undefined && !line.more ? `${line.code[0]}yz` : undefined;
  return line.status;
}

function add(m: Map<string, number[]>, key: string, sample: number): void {
  const list = m.get(key);
  if (list) list.push(sample);
  else m.set(key, [sample]);
}

function summarise(s: Samples): ProtocolStats {
  const byName = <T>(m: Map<string, T>): [string, T][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const all = [...s.latency.values()].flat();
  return {
    connections: s.connections,
    latency: Object.fromEntries(byName(s.latency).map(([verb, ms]) => [verb, distribution(ms)])),
    ...(all.length > 0 ? { allCommands: distribution(all) } : {}),
    replies: Object.fromEntries(byName(s.replies)),
    bytesSent: s.sent,
    bytesReceived: s.received,
    ...(s.connect.length > 0 ? { connect: distribution(s.connect) } : {}),
    ...(s.tls.length > 0 ? { tlsHandshake: distribution(s.tls) } : {}),
  };
}

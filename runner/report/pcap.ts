// --report-pcap DIR: each test's dialogue as a pcapng that Wireshark and tshark
// decode as SMTP, POP3 or IMAP: synthetic TCP on 127.0.0.1 to the well-known
// port, one segment per transcript line at the test's start + its ms. What the
// transcript lacks (TLS records, secrets, cut lines) is said in packet comments.
// Standards: pcapng, RFC 9293 (TCP), RFC 5321, RFC 1939, RFC 9051 (ports 25, 110, 143).

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Protocol } from "../model/ast.ts";
import { NO_LIVE_EVENTS, type RunEvent } from "../model/events.ts";
import type { TestResult, TranscriptLine } from "../model/result.ts";
import { pcapngFile, TCP_FLAGS, type TcpSegment } from "./format/pcapng.ts";
import type { Reporter } from "./reporter.ts";

export interface PcapReportOptions {
  dir: string;
}

/** The ports tshark's dissectors claim: a capture on them decodes as the protocol with no "Decode As". */
const WELL_KNOWN_PORTS: Record<Protocol, number> = { smtp: 25, pop3: 110, imap: 143, lmtp: 24 };
const LOOPBACK = [127, 0, 0, 1] as const;
const FIRST_CLIENT_PORT = 49152;
const CLIENT_ISN = 1000;
const SERVER_ISN = 5000;
/** Payload per segment: a long line (an escaped 2,000-character one) stays well inside an IPv4 packet. */
const MAX_PAYLOAD = 16 * 1024;

const AFTER_TLS = "after TLS: plaintext as seen by the runner (the wire carried TLS records)";
const SHORTENED = /… \((\d+) more octets\)$/;

export class PcapReporter implements Reporter {
  readonly name = "pcap";
  readonly printsToConsole = false;
  /** Nothing read live: each capture is rebuilt from a finished test's transcript. */
  readonly liveEvents = NO_LIVE_EVENTS;
  /** When each test began (epoch ms), taken as its test-begin event arrives; a replayed stream falls back to the run's start. */
  private readonly begun = new Map<string, number>();
  private runStartedAt = Date.now();
  private made = false;

  constructor(private readonly options: PcapReportOptions) {}

  onEvent(e: RunEvent): void {
    if (e.type === "run-begin") this.runStartedAt = Date.parse(e.startedAt) || this.runStartedAt;
    else if (e.type === "test-begin") this.begun.set(e.id, Date.now());
    else if (e.type === "test-end") {
      const startedAt = this.begun.get(e.result.id) ?? this.runStartedAt;
      this.begun.delete(e.result.id);
      this.write(e.result, startedAt);
    }
  }

  /** One file per test that opened a connection; written as the test ends, so an interrupted run keeps what it had. */
  private write(result: TestResult, startedAt: number): void {
    if (!result.transcript.some((l) => l.note?.kind === "connect")) return;
    if (!this.made) {
      mkdirSync(this.options.dir, { recursive: true });
      this.made = true;
    }
    writeFileSync(path.join(this.options.dir, pcapFileName(result.id)), transcriptCapture(result.transcript, startedAt, result.protocol));
  }
}

/** The test id as a file name: ids are dotted kebab-case; anything else becomes "_". */
export function pcapFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, "_")}.pcapng`;
}

interface Stream {
  clientPort: number;
  serverPort: number;
  clientSeq: number;
  serverSeq: number;
  /** Bytes have gone either way: a TLS upgrade now needs a fresh stream. */
  carried: boolean;
}

interface ConnectionState {
  protocol: Protocol;
  stream?: Stream;
  /** Every stream of the connection (the plaintext after STARTTLS is a second one); all are closed at the end. */
  streams: Stream[];
  tls: boolean;
  /** Octets of a server literal still to come (its last line may end without CRLF). */
  literalLeft: number;
}

/** The capture of one test's transcript; `protocol` serves a line on a connection whose connect note is missing. */
export function transcriptCapture(lines: readonly TranscriptLine[], startedAt: number, protocol: Protocol): Buffer {
  const segments: TcpSegment[] = [];
  const connections = new Map<string, ConnectionState>();
  let nextPort = FIRST_CLIENT_PORT;
  let lastMs = 0;
  /** Comments waiting for the next packet (a note has no packet of its own). */
  let pending: string[] = [];

  const emit = (ms: number, s: Stream, from: "C" | "S", flags: number, payload: Uint8Array, comment?: string): void => {
    const comments = [...pending, ...(comment ? [comment] : [])];
    pending = [];
    const client = from === "C";
    segments.push({
      timeUs: (startedAt + ms) * 1000,
      src: LOOPBACK,
      dst: LOOPBACK,
      srcPort: client ? s.clientPort : s.serverPort,
      dstPort: client ? s.serverPort : s.clientPort,
      seq: client ? s.clientSeq : s.serverSeq,
      ack: flags & TCP_FLAGS.ACK ? (client ? s.serverSeq : s.clientSeq) : 0,
      flags,
      payload,
      ...(comments.length > 0 ? { comment: comments.join("; ") } : {}),
    });
    // SYN and FIN take one sequence number each.
    const advance = payload.length + (flags & (TCP_FLAGS.SYN | TCP_FLAGS.FIN) ? 1 : 0);
    if (client) s.clientSeq += advance;
    else s.serverSeq += advance;
  };

  const open = (ms: number, c: ConnectionState, comment?: string): Stream => {
    const s: Stream = { clientPort: nextPort++, serverPort: WELL_KNOWN_PORTS[c.protocol], clientSeq: CLIENT_ISN, serverSeq: SERVER_ISN, carried: false };
    emit(ms, s, "C", TCP_FLAGS.SYN, new Uint8Array(0), comment);
    emit(ms, s, "S", TCP_FLAGS.SYN | TCP_FLAGS.ACK, new Uint8Array(0));
    emit(ms, s, "C", TCP_FLAGS.ACK, new Uint8Array(0));
    c.stream = s;
    c.streams.push(s);
    return s;
  };

  const close = (ms: number, c: ConnectionState, by: "C" | "S"): void => {
    const other = by === "C" ? "S" : "C";
    for (const s of c.streams) {
      emit(ms, s, by, TCP_FLAGS.FIN | TCP_FLAGS.ACK, new Uint8Array(0));
      emit(ms, s, other, TCP_FLAGS.FIN | TCP_FLAGS.ACK, new Uint8Array(0));
      emit(ms, s, by, TCP_FLAGS.ACK, new Uint8Array(0));
    }
    c.streams = [];
    c.stream = undefined;
  };

  const connection = (name: string, fallback: Protocol): ConnectionState => {
    let c = connections.get(name);
    if (!c) {
      c = { protocol: fallback, streams: [], tls: false, literalLeft: 0 };
      connections.set(name, c);
    }
    return c;
  };

  for (const line of lines) {
    lastMs = Math.max(lastMs, line.ms);
    const note = line.note;
    if (line.dir === "*") {
      if (note?.kind === "connect") {
        const previous = connections.get(line.connection);
        if (previous) close(line.ms, previous, "C");
        const c: ConnectionState = { protocol: note.protocol, streams: [], tls: note.tls === "implicit", literalLeft: 0 };
        connections.set(line.connection, c);
        open(line.ms, c, `${line.connection}: ${line.text}${c.tls ? `; ${AFTER_TLS}` : ""}`);
      } else if (note?.kind === "tls-established") {
        const c = connection(line.connection, protocol);
        c.tls = true;
        // A fresh stream after STARTTLS: on the first one, the dissectors expect TLS records after the go-ahead.
        if (c.stream?.carried) open(line.ms, c, `${line.connection}: ${line.text}; ${AFTER_TLS}; continues the stream on port ${c.stream.clientPort}`);
        else pending.push(line.text);
      } else if (note?.kind === "literal") {
        connection(line.connection, protocol).literalLeft = note.octets;
      } else if (note?.kind === "closed") {
        const c = connections.get(line.connection);
        if (c) close(line.ms, c, note.by === "client" ? "C" : "S");
      } else if (note?.kind === "omitted") {
        pending.push(`${line.text}: not in this capture`);
      } else if (note?.kind === "unread") {
        pending.push(`${line.connection}: ${line.text} (not in this capture)`);
      } else {
        pending.push(`${line.connection}: ${line.text}`);
      }
      continue;
    }
    const c = connection(line.connection, protocol);
    const s = c.stream ?? open(line.ms, c, `${line.connection}: no connect note in the transcript`);
    const comments: string[] = [];
    let text = line.text;
    const shortened = SHORTENED.exec(text);
    if (shortened) {
      text = text.slice(0, shortened.index);
      comments.push(`line shortened in the transcript: ${shortened[1]} more octets not in this capture`);
    }
    if (line.dir === "C" && text.includes("***")) comments.push("*** stands for a secret the runner redacted");
    if (c.tls) comments.push(AFTER_TLS);
    const bytes = transcriptBytes(text);
    // An IMAP literal's last line may end without CRLF: the line after it continues on the wire.
    const crlf = !(line.dir === "S" && c.literalLeft > 0 && c.literalLeft === bytes.length);
    if (line.dir === "S" && c.literalLeft > 0) c.literalLeft = Math.max(0, c.literalLeft - bytes.length - (crlf ? 2 : 0));
    const payload = crlf ? Buffer.concat([bytes, Buffer.from("\r\n")]) : bytes;
    for (let at = 0; at < payload.length; at += MAX_PAYLOAD) {
      emit(line.ms, s, line.dir, TCP_FLAGS.PSH | TCP_FLAGS.ACK, payload.subarray(at, at + MAX_PAYLOAD), at === 0 && comments.length > 0 ? comments.join("; ") : undefined);
    }
    s.carried = true;
  }
  // A connection the transcript does not see closed is closed by the client as the test ends.
  for (const c of connections.values()) if (c.streams.length > 0) close(lastMs, c, "C");
  if (pending.length > 0 && segments.length > 0) {
    const last = segments[segments.length - 1]!;
    last.comment = [...(last.comment ? [last.comment] : []), ...pending].join("; ");
  }
  return pcapngFile(segments);
}

/**
 * The octets a transcript text stood for: \xNN, \r, \n and \t were one octet
 * each (wire/printable.ts), the rest is UTF-8. A backslash the server sent
 * before "x41" reads back as an escape: the text cannot tell them apart.
 */
export function transcriptBytes(text: string): Buffer {
  if (!text.includes("\\")) return Buffer.from(text, "utf8");
  const parts: Buffer[] = [];
  const escape = /\\x([0-9a-f]{2})|\\([rnt])/g;
  let from = 0;
  for (let m = escape.exec(text); m; m = escape.exec(text)) {
    parts.push(Buffer.from(text.slice(from, m.index), "utf8"));
    parts.push(Buffer.of(m[1] !== undefined ? parseInt(m[1], 16) : { r: 0x0d, n: 0x0a, t: 0x09 }[m[2] as "r" | "n" | "t"]));
    from = m.index + m[0].length;
  }
  parts.push(Buffer.from(text.slice(from), "utf8"));
  return Buffer.concat(parts);
}

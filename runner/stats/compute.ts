// Protocol statistics from the wire transcripts of a run's results: per
// protocol, latency per command verb, reply-code distribution, octets each
// way, connection setup and TLS handshake times. Reads only what the engine
// recorded (C:/S: lines with their ms, and its `*` notes: "connecting to …
// (proto, tls mode)", "TLS established", "literal of n octets:"), so a saved
// JSON report or a merged set of shards gives the same figures as the live run.
// Standards: RFC 5321 §4.2 (reply codes, multiline replies), RFC 1939 §3
// (status indicators, multiline responses), RFC 3501 §2.2.2, §7.5 (tagged
// status, continuations), RFC 3207 / RFC 2595 / RFC 8314 (STARTTLS, implicit TLS).

import type { Protocol } from "../model/ast.ts";
import type { TestResult, TranscriptLine } from "../model/result.ts";
import type { RunStats } from "../model/stats.ts";
import { distribution, wireOctets } from "./measure.ts";

const CONNECTING = /^connecting to \S+ \((smtp|pop3|imap), tls (none|starttls|implicit)\)$/;
const SERVER_LITERAL = /^literal of (\d+) octets:$/;
const CLIENT_LITERAL = /\{(\d+)\+?\}$/;
/** POP3 commands whose +OK starts a multiline response (RFC 1939 §5, §7; RFC 2449 §5 CAPA). */
const POP3_MULTILINE = (verb: string, args: string) => verb === "RETR" || verb === "TOP" || verb === "CAPA" || ((verb === "LIST" || verb === "UIDL") && args === "");
/** IMAP commands whose continuation requests are answered by client lines that are not commands. */
/** The verb under which the final "." of SMTP message content is timed. */
export const END_OF_DATA = "END-OF-DATA";
const IMAP_CONTINUED = new Set(["AUTHENTICATE", "IDLE"]);

interface Pending {
  verb: string;
  ms: number;
  /** IMAP tag of the command. */
  tag?: string;
  args: string;
}

interface ConnectionState {
  protocol: Protocol;
  tls: "none" | "starttls" | "implicit";
  connectingAt: number;
  greeted: boolean;
  pending: Pending[];
  /** SMTP: inside a multiline reply (a "250-" line seen). */
  inReply: boolean;
  /** SMTP: the client is sending message content after 354, up to ".". */
  inData: boolean;
  /** POP3: reading a multiline body up to ".". */
  inBody: boolean;
  /** The server asked for more (334, "+ "): the next client line continues the command. */
  continuation?: Pending;
  /** Octets of a literal still to come from the client / the server. */
  clientLiteral: number;
  serverLiteral: number;
  /** When the server said go ahead to STARTTLS / STLS. */
  tlsGoAheadAt?: number;
}

class Collector {
  readonly samples = new Map<Protocol, { latency: Map<string, number[]>; replies: Map<string, number>; sent: number; received: number; connections: number; connect: number[]; tls: number[] }>();

  of(p: Protocol) {
    let s = this.samples.get(p);
    if (!s) {
      s = { latency: new Map(), replies: new Map(), sent: 0, received: 0, connections: 0, connect: [], tls: [] };
      this.samples.set(p, s);
    }
    return s;
  }

  latency(p: Protocol, verb: string, ms: number): void {
    const m = this.of(p).latency;
    m.set(verb, [...(m.get(verb) ?? []), Math.max(0, ms)]);
  }

  reply(p: Protocol, kind: string): void {
    const m = this.of(p).replies;
    m.set(kind, (m.get(kind) ?? 0) + 1);
  }

  result(): RunStats {
    const out: RunStats = {};
    for (const p of ["smtp", "pop3", "imap"] as const) {
      const s = this.samples.get(p);
      if (!s) continue;
      const latency = Object.fromEntries([...s.latency.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([verb, ms]) => [verb, distribution(ms)]));
      const all = [...s.latency.values()].flat();
      const replies = Object.fromEntries([...s.replies.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
      out[p] = {
        connections: s.connections,
        latency,
        ...(all.length > 0 ? { allCommands: distribution(all) } : {}),
        replies,
        bytesSent: s.sent,
        bytesReceived: s.received,
        ...(s.connect.length > 0 ? { connect: distribution(s.connect) } : {}),
        ...(s.tls.length > 0 ? { tlsHandshake: distribution(s.tls) } : {}),
      };
    }
    return out;
  }
}

export function computeStats(results: readonly TestResult[]): RunStats {
  const collector = new Collector();
  for (const r of results) walkTranscript(r.transcript, collector);
  return collector.result();
}

function walkTranscript(lines: readonly TranscriptLine[], c: Collector): void {
  const conns = new Map<string, ConnectionState>();
  for (const line of lines) {
    if (line.dir === "*") {
      const m = CONNECTING.exec(line.text);
      if (m) {
        const protocol = m[1] as Protocol;
        conns.set(line.connection, {
          protocol,
          tls: m[2] as ConnectionState["tls"],
          connectingAt: line.ms,
          greeted: false,
          pending: [],
          inReply: false,
          inData: false,
          inBody: false,
          clientLiteral: 0,
          serverLiteral: 0,
        });
        c.of(protocol).connections++;
        continue;
      }
      const s = conns.get(line.connection);
      if (!s) continue;
      if (line.text.startsWith("TLS established")) {
        if (s.tlsGoAheadAt !== undefined) c.of(s.protocol).tls.push(line.ms - s.tlsGoAheadAt);
        else if (s.tls === "implicit" && !s.greeted) c.of(s.protocol).tls.push(line.ms - s.connectingAt);
        s.tlsGoAheadAt = undefined;
        continue;
      }
      const lit = SERVER_LITERAL.exec(line.text);
      if (lit) s.serverLiteral = Number(lit[1]);
      continue;
    }
    const s = conns.get(line.connection);
    if (!s) continue;
    const octets = wireOctets(line.text) + 2;
    const stats = c.of(s.protocol);
    if (line.dir === "C") {
      stats.sent += octets;
      client(s, line, c);
    } else {
      stats.received += octets;
      if (s.serverLiteral > 0) {
        s.serverLiteral -= octets;
        continue;
      }
      server(s, line, c);
    }
  }
}

function client(s: ConnectionState, line: TranscriptLine, c: Collector): void {
  if (s.clientLiteral > 0) {
    s.clientLiteral -= wireOctets(line.text) + 2;
    return;
  }
  let pending: Pending;
  if (s.inData) {
    if (line.text !== ".") return;
    // The end of the content: its reply is the one that says the message is safe (RFC 5321 §4.1.1.4).
    s.inData = false;
    pending = { verb: END_OF_DATA, ms: line.ms, args: "" };
  } else if (s.continuation) {
    // A SASL response, IDLE's DONE: timed as part of the command that asked for it.
    pending = { ...s.continuation, ms: line.ms };
    s.continuation = undefined;
    if (s.protocol === "imap") {
      // IMAP: the tagged reply still belongs to the original command, already queued.
      const head = s.pending.find((p) => p.tag === pending.tag);
      if (head) head.ms = line.ms;
      return;
    }
  } else {
    const words = line.text.split(" ");
    if (s.protocol === "imap") {
      const tag = words[0] ?? "";
      let verb = (words[1] ?? "").toUpperCase();
      if (verb === "UID" && words[2]) verb = `UID ${words[2].toUpperCase()}`;
      pending = { verb: verb || "(empty)", ms: line.ms, tag, args: words.slice(2).join(" ") };
    } else {
      pending = { verb: (words[0] ?? "").toUpperCase() || "(empty)", ms: line.ms, args: words.slice(1).join(" ") };
    }
  }
  const literal = s.protocol === "imap" ? CLIENT_LITERAL.exec(line.text) : null;
  if (literal) s.clientLiteral = Number(literal[1]);
  s.pending.push(pending);
}

function server(s: ConnectionState, line: TranscriptLine, c: Collector): void {
  const text = line.text;
  if (s.protocol === "smtp") {
    const m = /^(\d)\d\d([ -]|$)/.exec(text);
    if (!m) return;
    const first = !s.inReply;
    s.inReply = m[2] === "-";
    if (!first) {
      if (!s.inReply) c.reply("smtp", `${m[1]}yz`);
      return;
    }
    const cmd = started(s, line, c);
    if (!s.inReply) c.reply("smtp", `${m[1]}yz`);
    const code = text.slice(0, 3);
    if (code === "354") s.inData = true;
    if (code === "334" && cmd) s.continuation = cmd;
    if (cmd?.verb === "STARTTLS" && m[1] === "2") s.tlsGoAheadAt = line.ms;
    return;
  }
  if (s.protocol === "pop3") {
    if (s.inBody) {
      if (text === ".") s.inBody = false;
      return;
    }
    if (text.startsWith("+OK") || text.startsWith("-ERR")) {
      const ok = text.startsWith("+OK");
      c.reply("pop3", ok ? "+OK" : "-ERR");
      const cmd = started(s, line, c);
      if (ok && cmd && POP3_MULTILINE(cmd.verb, cmd.args.trim())) s.inBody = true;
      if (ok && cmd?.verb === "STLS") s.tlsGoAheadAt = line.ms;
    } else if (text === "+" || text.startsWith("+ ")) {
      c.reply("pop3", "+");
      const cmd = started(s, line, c);
      if (cmd) s.continuation = cmd;
    }
    return;
  }
  // IMAP
  if (text === "+" || text.startsWith("+ ")) {
    c.reply("imap", "+");
    const head = s.pending.at(-1);
    if (head && IMAP_CONTINUED.has(head.verb)) s.continuation = head;
    return;
  }
  if (text.startsWith("* ")) {
    if (!s.greeted && s.pending.length === 0) {
      s.greeted = true;
      c.of("imap").connect.push(line.ms - s.connectingAt);
      const status = /^\* (OK|PREAUTH|BYE)\b/i.exec(text);
      if (status) c.reply("imap", status[1]!.toUpperCase());
    } else if (/^\* BYE\b/i.test(text)) c.reply("imap", "BYE");
    return;
  }
  const sp = text.indexOf(" ");
  const tag = sp > 0 ? text.slice(0, sp) : text;
  const i = s.pending.findIndex((p) => p.tag === tag);
  if (i < 0) return;
  const status = /^(OK|NO|BAD)\b/i.exec(text.slice(sp + 1));
  const [cmd] = s.pending.splice(i, 1);
  if (status) c.reply("imap", status[1]!.toUpperCase());
  c.latency("imap", cmd!.verb, line.ms - cmd!.ms);
  if (cmd!.verb === "STARTTLS" && status?.[1]?.toUpperCase() === "OK") s.tlsGoAheadAt = line.ms;
}

/** The first line of an SMTP or POP3 reply: the greeting, or the answer to the oldest pending command. */
function started(s: ConnectionState, line: TranscriptLine, c: Collector): Pending | undefined {
  if (!s.greeted && s.pending.length === 0) {
    s.greeted = true;
    c.of(s.protocol).connect.push(line.ms - s.connectingAt);
    return undefined;
  }
  s.greeted = true;
  const cmd = s.pending.shift();
  if (cmd) c.latency(s.protocol, cmd.verb, line.ms - cmd.ms);
  return cmd;
}

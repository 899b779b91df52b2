// The IMAP engine for the shared session driver: the greeting, the table, the
// vocabulary and the command reader. A command is read whole before it runs:
// its first line, then for each literal it announces ({n} with a "+"
// continuation, {n+} without) the octets and the line after them. A literal
// over the limit, or one the memory budget has no room for, is refused before
// it is read ({n}) or read and dropped ({n+}), so it never sits in memory; one
// that is taken is counted in the budget until its command is done, and must
// keep arriving (a TransferDeadline: stall limit and minimum rate).
// Standards: RFC 3501 §2.2.1, §4.3, §7.5 (continuation), §5.4 (autologout), RFC 7888 §4, RFC 7889,
// RFC 5530 §3 (UNAVAILABLE).

import type { ServerConfig } from "../config/types.ts";
import type { Command } from "../core/command-table.ts";
import { LINE_TOO_LONG } from "../core/connection.ts";
import { ClientError, LimitExceeded, Overloaded } from "../core/errors.ts";
import { BLOCK_OVERHEAD_OCTETS, HeldOctets } from "../core/held-octets.ts";
import type { TransferDeadline } from "../core/read-deadline.ts";
import { shownVerb, type Engine } from "../core/session.ts";
import { capabilities } from "./capabilities.ts";
import { withUtf8Arguments } from "./grammar/command-args.ts";
import { DISCARD_SLICE_OCTETS, MAX_ARGUMENT_LITERAL_OCTETS, MAX_COMMAND_LINE_OCTETS, MAX_LITERALS_PER_COMMAND } from "./limits.ts";
import type { ImapSession } from "./states.ts";
import { imapCommands } from "./table.ts";
import { continuation, imapVocabulary, untagged } from "./vocabulary.ts";
import { isTag } from "../../wire/imap-syntax.ts";

/** literal = "{" number ["+"] "}" at the very end of a line. */
const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

const VERB = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;

export function imapEngine(config: ServerConfig): Engine<ImapSession> {
  return {
    protocol: "imap",
    table: imapCommands,
    vocabulary: imapVocabulary,
    maxCommandLineOctets: MAX_COMMAND_LINE_OCTETS,
    commandTimeoutMs: config.imap.idleTimeoutMs,
    maxBadCommands: config.imap.maxBadCommands,
    open: (conn, context) => ({ conn, context, state: "not-authenticated", user: null, view: null, currentTag: null, enabled: new Set() }),
    greet(s) {
      untagged(s, `OK [CAPABILITY ${capabilities(s).join(" ")}] ${config.hostname} mailconform IMAP4rev1 ready`);
    },
    parse: async (line, s) => withUtf8Arguments(s.enabled, await readCommand(s, line, config)),
    state: (s) => s.state,
    tlsRequired: () => config.imap.requireTls,
    end(s) {
      s.view?.close();
      s.view = null;
    },
  };
}

async function readCommand(s: ImapSession, line: Buffer, config: ServerConfig): Promise<Command> {
  s.currentTag = null;
  const text = line.toString("latin1");
  const space = text.indexOf(" ");
  const tag = space === -1 ? text : text.slice(0, space);
  // tag = 1*<any ASTRING-CHAR except "+">
  if (!isTag(tag)) throw new ClientError("syntax", tag === "" ? "empty command line" : "missing or malformed tag");
  s.currentTag = tag;
  const rest = space === -1 ? "" : text.slice(space + 1);
  const verbEnd = rest.indexOf(" ");
  const verb = verbEnd === -1 ? rest : rest.slice(0, verbEnd);
  if (!VERB.test(verb)) throw new ClientError("syntax", verb === "" ? "missing command" : `malformed command name ${shownVerb(verb)}`);

  const command = { tag, verb: verb.toUpperCase(), args: verbEnd === -1 ? "" : rest.slice(verbEnd + 1) };
  // `text` is the line in latin1, one character per octet: its tail is the line's, without decoding it again.
  if (!LITERAL_AT_END.test(text.slice(Math.max(0, text.length - 24)))) return { tag: command.tag, verb: command.verb, args: command.args, raw: line };
  const memory = s.context.memory;
  // The command so far, lines and literals, in blocks counted in the budget (released in every case below).
  const held = new HeldOctets(memory);
  held.append(line);
  let current = line;
  let literals = 0;
  const limit = command.verb === "APPEND" ? config.imap.maxAppendOctets : MAX_ARGUMENT_LITERAL_OCTETS;
  try {
    for (;;) {
      const announced = LITERAL_AT_END.exec(current.toString("latin1", Math.max(0, current.length - 24)));
      if (!announced) break;
      const octets = Number(announced[1]);
      const synchronizing = announced[2] === "";
      if (octets > limit || ++literals > MAX_LITERALS_PER_COMMAND) {
        if (!synchronizing) await discardRest(s, octets, config);
        throw new LimitExceeded("message-too-big", octets > limit ? `literal of ${octets} octets exceeds the limit of ${limit}` : "too many literals in one command");
      }
      // Refused before the "+" when it cannot fit, so the client never sends it.
      if (!memory.hasRoomFor(octets)) {
        if (!synchronizing) await discardRest(s, octets, config);
        throw new Overloaded("server is short of memory, try again later");
      }
      if (synchronizing) continuation(s, "ready for literal data");
      held.append(CRLF);
      await readLiteral(s, held, octets, literalDeadline(s, config));
      const next = await s.conn.readLine(MAX_COMMAND_LINE_OCTETS, config.imap.idleTimeoutMs);
      if (next === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "command line too long");
      held.append(next.bytes);
      current = next.bytes;
      // Other sessions filled the budget while this literal arrived: the rest of the command is read and dropped.
      if (held.refused) {
        const more = LITERAL_AT_END.exec(current.toString("latin1", Math.max(0, current.length - 24)));
        if (more?.[2] === "+") await discardRest(s, Number(more[1]), config);
        throw new Overloaded("server is short of memory, try again later");
      }
    }
    // One contiguous copy for the parser, counted until the driver calls release() after the handler.
    const raw = Buffer.concat(held.parts(), held.length);
    const counted = raw.length + BLOCK_OVERHEAD_OCTETS;
    memory.charge(counted);
    let released = false;
    const release = () => {
      if (!released) memory.release(counted);
      released = true;
    };
    return { ...command, raw, release };
  } finally {
    held.release();
  }
}

const CRLF = Buffer.from("\r\n");

function literalDeadline(s: ImapSession, config: ServerConfig): TransferDeadline {
  return s.conn.transfer(config.imap.idleTimeoutMs, config.imap.minLiteralOctetsPerSecond);
}

/** The literal's octets into `held` (dropped there once the budget refused it). */
async function readLiteral(s: ImapSession, held: HeldOctets, octets: number, deadline: TransferDeadline): Promise<void> {
  for (let left = octets; left > 0; ) {
    const chunk = await s.conn.readChunk(Math.min(left, DISCARD_SLICE_OCTETS), deadline);
    left -= chunk.length;
    held.append(chunk);
  }
}

/**
 * A non-synchronizing literal we will not take still arrives (RFC 7888 §4):
 * read it in slices and drop them, then the rest of the command, so the
 * session stays in step with the client.
 */
async function discardRest(s: ImapSession, octets: number, config: ServerConfig): Promise<void> {
  for (;;) {
    const deadline = literalDeadline(s, config);
    let left = octets;
    while (left > 0) left -= (await s.conn.readChunk(Math.min(left, DISCARD_SLICE_OCTETS), deadline)).length;
    const next = await s.conn.readLine(MAX_COMMAND_LINE_OCTETS, config.imap.idleTimeoutMs);
    if (next === LINE_TOO_LONG) return;
    const announced = LITERAL_AT_END.exec(next.bytes.toString("latin1", Math.max(0, next.bytes.length - 24)));
    if (!announced || announced[2] !== "+") return;
    octets = Number(announced[1]);
  }
}

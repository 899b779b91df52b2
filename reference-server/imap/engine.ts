// The IMAP engine for the shared session driver: the greeting, the table, the
// vocabulary and the command reader. A command is read whole before it runs:
// its first line, then for each literal it announces ({n} with a "+"
// continuation, {n+} without) the octets and the line after them. A literal
// over the limit is refused before it is read ({n}) or read and dropped ({n+}),
// so it never sits in memory.
// Standards: RFC 3501 §2.2.1, §4.3, §7.5 (continuation), §5.4 (autologout), RFC 7888 §4, RFC 7889.

import type { ServerConfig } from "../config/types.ts";
import type { Command } from "../core/command-table.ts";
import { LINE_TOO_LONG } from "../core/connection.ts";
import { ClientError, LimitExceeded } from "../core/errors.ts";
import { printable, type Engine } from "../core/session.ts";
import { capabilities } from "./capabilities.ts";
import { DISCARD_SLICE_OCTETS, MAX_ARGUMENT_LITERAL_OCTETS, MAX_COMMAND_LINE_OCTETS, MAX_LITERALS_PER_COMMAND } from "./limits.ts";
import type { ImapSession } from "./states.ts";
import { imapCommands } from "./table.ts";
import { continuation, imapVocabulary, untagged } from "./vocabulary.ts";

export const IMAP_MAX_BUFFERED_LINE_OCTETS = MAX_COMMAND_LINE_OCTETS;

/** literal = "{" number ["+"] "}" at the very end of a line. */
const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

/** tag = 1*<any ASTRING-CHAR except "+"> */
const TAG = /^[^\x00-\x20(){%*"\\+\x7f-\xff]+$/;
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
    parse: (line, s) => readCommand(s, line, config),
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
  if (!TAG.test(tag)) throw new ClientError("syntax", tag === "" ? "empty command line" : "missing or malformed tag");
  s.currentTag = tag;
  const rest = space === -1 ? "" : text.slice(space + 1);
  const verbEnd = rest.indexOf(" ");
  const verb = verbEnd === -1 ? rest : rest.slice(0, verbEnd);
  if (!VERB.test(verb)) throw new ClientError("syntax", verb === "" ? "missing command" : `malformed command name ${printable(verb)}`);

  const parts: Buffer[] = [line];
  let current = line;
  let literals = 0;
  const limit = verb.toUpperCase() === "APPEND" ? config.imap.maxAppendOctets : MAX_ARGUMENT_LITERAL_OCTETS;
  for (;;) {
    const announced = LITERAL_AT_END.exec(current.toString("latin1", Math.max(0, current.length - 24)));
    if (!announced) break;
    const octets = Number(announced[1]);
    const synchronizing = announced[2] === "";
    if (octets > limit || ++literals > MAX_LITERALS_PER_COMMAND) {
      if (!synchronizing) await discardRest(s, octets, config);
      throw new LimitExceeded("message-too-big", octets > limit ? `literal of ${octets} octets exceeds the limit of ${limit}` : "too many literals in one command");
    }
    if (synchronizing) continuation(s, "ready for literal data");
    parts.push(Buffer.from("\r\n"), await readOctets(s, octets, config));
    const next = await s.conn.readLine(MAX_COMMAND_LINE_OCTETS, config.imap.idleTimeoutMs);
    if (next === LINE_TOO_LONG) throw new LimitExceeded("command-line-too-long", "command line too long");
    parts.push(next.bytes);
    current = next.bytes;
  }
  return { tag, verb: verb.toUpperCase(), args: verbEnd === -1 ? "" : rest.slice(verbEnd + 1), raw: parts.length === 1 ? line : Buffer.concat(parts) };
}

async function readOctets(s: ImapSession, octets: number, config: ServerConfig): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let got = 0;
  while (got < octets) {
    const chunk = await s.conn.readChunk(octets - got, config.imap.idleTimeoutMs);
    chunks.push(chunk);
    got += chunk.length;
  }
  return Buffer.concat(chunks, octets);
}

/**
 * A non-synchronizing literal we will not take still arrives (RFC 7888 §4):
 * read it in slices and drop them, then the rest of the command, so the
 * session stays in step with the client.
 */
async function discardRest(s: ImapSession, octets: number, config: ServerConfig): Promise<void> {
  for (;;) {
    let left = octets;
    while (left > 0) left -= (await s.conn.readChunk(Math.min(left, DISCARD_SLICE_OCTETS), config.imap.idleTimeoutMs)).length;
    const next = await s.conn.readLine(MAX_COMMAND_LINE_OCTETS, config.imap.idleTimeoutMs);
    if (next === LINE_TOO_LONG) return;
    const announced = LITERAL_AT_END.exec(next.bytes.toString("latin1", Math.max(0, next.bytes.length - 24)));
    if (!announced || announced[2] !== "+") return;
    octets = Number(announced[1]);
  }
}

// The session driver shared by SMTP, POP3 and IMAP: greet, then read a
// command line, parse it, pass the generic gate, run the handler, and turn
// every thrown MailError into a reply through the protocol's vocabulary.
// Everything protocol-specific comes in through an Engine.
// Standards: RFC 5321 §4.1.4 and §4.5.3 (order, limits, timeouts), RFC 1939 §3,
// RFC 3501 §3 (states), RFC 3207 §4 / RFC 2595 §4 (TLS before auth).

import type { Command, CommandRow, CommandTable, LineAwaited } from "./command-table.ts";
import { Connection, LINE_TOO_LONG, PARKED, PeerClosed, ReadTimeout, REFUSAL_CLOSE_GRACE_MS, type ParkedReader } from "./connection.ts";
import type { ServerContext } from "./context.ts";
import {
  ClientError,
  countsAsBadCommand,
  Fatal,
  isMailError,
  LimitExceeded,
  type FatalReason,
  type MailError,
} from "./errors.ts";

/** What every protocol session carries; protocols extend it with their own state. */
export interface SessionBase {
  readonly conn: Connection;
  readonly context: ServerContext;
}

export interface Vocabulary<S> {
  /** The wire reply for a failed command (`command` is null when the line did not parse). */
  failure(session: S, error: MailError, command: Command | null): string;
}

export interface Engine<S extends SessionBase> {
  readonly protocol: string;
  readonly table: CommandTable<S>;
  readonly vocabulary: Vocabulary<S>;
  /** Command line limit without the CRLF. */
  readonly maxCommandLineOctets: number;
  readonly commandTimeoutMs: number;
  readonly maxBadCommands: number;
  /** Only CRLF ends a command line; a line ended by a bare LF is refused (RFC 5321 §2.3.8 "MUST NOT recognize"). */
  readonly crlfOnly?: boolean;
  open(conn: Connection, context: ServerContext): S;
  /** Write the greeting. */
  greet(session: S): void | Promise<void>;
  /**
   * Split a line into a command; throws ClientError for a line that is not one.
   * May read on (IMAP literals and the lines after them) before it resolves.
   */
  parse(line: Buffer, session: S): Command | Promise<Command>;
  state(session: S): string;
  /** Whether policy requires TLS before commands not flagged preTls. */
  tlsRequired(session: S): boolean;
  /** Runs once when the session ends for any reason (release locks, never expunge). */
  end?(session: S): void | Promise<void>;
}

/** A running session as the listener sees it. */
export interface SessionHandle {
  readonly conn: Connection;
  /** Say goodbye the protocol's way and close (server shutdown). */
  shutdown(): Promise<void>;
  /** Resolves when the session has ended (made on first ask: an idle session holds no promise for it). */
  readonly done: Promise<void>;
}

/**
 * `refusal`: instead of the greeting, say this the protocol's fatal way (421, -ERR, BYE) and close.
 * `ended`: called once when the session is over (the listener's bookkeeping; one function for all sessions).
 */
export function startSession<S extends SessionBase>(
  engine: Engine<S>,
  conn: Connection,
  context: ServerContext,
  refusal: Fatal | null = null,
  ended: ((handle: SessionHandle) => void) | null = null,
): SessionHandle {
  const running = new RunningSession(engine, engine.open(conn, context), ended);
  void running.start(refusal);
  return running;
}

/**
 * The driver of one session: greet, then read a command line, parse it, pass
 * the generic gate, run the handler — until the peer leaves, a fatal error or
 * a timeout. Between commands it waits parked (Connection.lineOrPark): no
 * async frame, promise or closure is held while a connection sits idle, the
 * state of the loop lives in fields, and resume() runs it again. A class, not
 * closures: 10,000 idle sessions must fit in a few KiB each (issue 18).
 */
class RunningSession<S extends SessionBase> implements SessionHandle, ParkedReader {
  private badCommands = 0;
  /** A command that goes on at the next line (IDLE): it gets that line instead of the parser. */
  private awaiting: { next: LineAwaited<S>; command: Command } | null = null;
  private finished = false;
  private donePromise: Promise<void> | null = null;
  private settleDone: (() => void) | null = null;

  constructor(
    private readonly engine: Engine<S>,
    private readonly session: S,
    private readonly ended: ((handle: SessionHandle) => void) | null,
  ) {}

  get conn(): Connection {
    return this.session.conn;
  }

  get done(): Promise<void> {
    if (this.donePromise === null) {
      this.donePromise = this.finished ? Promise.resolve() : new Promise((resolve) => (this.settleDone = resolve));
    }
    return this.donePromise;
  }

  async shutdown(): Promise<void> {
    const conn = this.session.conn;
    if (conn.isClosed) return conn.closed;
    conn.write(this.engine.vocabulary.failure(this.session, new Fatal("shutdown", "server shutting down"), null));
    await conn.close();
  }

  /** Greet (or refuse), then serve commands until the first wait for input. */
  async start(refusal: Fatal | null): Promise<void> {
    let parked = false;
    let failure: unknown = null;
    try {
      if (refusal !== null) {
        // RFC 5321 §3.1: a server that will not serve may greet with 421 and close; RFC 3501 §7.1.5: BYE.
        await farewell(this.engine, this.session, refusal.reason, refusal.message, null, REFUSAL_CLOSE_GRACE_MS);
      } else {
        await this.engine.greet(this.session);
        parked = await this.serve();
      }
    } catch (error) {
      failure = error;
    }
    if (!parked) await this.finish(failure);
  }

  /** Input, the peer's close or the deadline came while parked: serve on. */
  resume(): void {
    void this.serveOn();
  }

  private async serveOn(): Promise<void> {
    let parked = false;
    let failure: unknown = null;
    try {
      parked = await this.serve();
    } catch (error) {
      failure = error;
    }
    if (!parked) await this.finish(failure);
  }

  /** Run commands while input is there. True when parked waiting for the next line; false when the session is over. */
  private async serve(): Promise<boolean> {
    const { engine, session } = this;
    const conn = session.conn;
    const log = session.context.log;
    while (!conn.isClosed) {
      const awaiting = this.awaiting;
      let command: Command | null = awaiting?.command ?? null;
      try {
        // Pipelined commands run without waiting for input, so their replies can pile up: past a mark, wait for the peer to read.
        const relieving = conn.relieveOutput(engine.commandTimeoutMs);
        if (relieving !== null) await relieving;
        if (awaiting?.next.failure !== undefined) throw awaiting.next.failure;
        const read = conn.lineOrPark(engine.maxCommandLineOctets, awaiting?.next.timeoutMs ?? engine.commandTimeoutMs, this);
        if (read === PARKED) return true;
        const line = read instanceof Promise ? await read : read;
        if (awaiting !== null) {
          this.awaiting = null;
          await awaiting.next.line(session, line);
          continue;
        }
        if (line === LINE_TOO_LONG) {
          log?.(`${conn.id} C: <line longer than ${engine.maxCommandLineOctets} octets>`);
          throw new LimitExceeded("command-line-too-long", "line too long");
        }
        // "RSET<LF>MAIL FROM:..." run as two commands is how SMTP smuggling reaches the command level.
        if (engine.crlfOnly && line.ending !== "crlf") throw new ClientError("syntax", "bare LF in a command line; only CRLF ends a line");
        command = await engine.parse(line.bytes, session);
        const row = gate(engine, session, command);
        if (log) log(`${conn.id} C: ${command.tag ? command.tag + " " : ""}${command.verb}${describeArgs(row, command)}`);
        const next = await row.handle(session, command);
        if (next) this.awaiting = { next, command };
      } catch (error) {
        this.awaiting = null;
        if (error instanceof PeerClosed) break;
        if (error instanceof ReadTimeout) {
          await farewell(engine, session, "timeout", error.text ?? `no command within ${error.ms / 1000} s`, command);
          break;
        }
        if (!isMailError(error)) {
          log?.(`${conn.id} internal error: ${error instanceof Error ? error.stack : String(error)}`);
          await farewell(engine, session, "internal", "internal error", command);
          break;
        }
        if (log && command === null) log(`${conn.id} C: <unparsed line>`);
        conn.write(engine.vocabulary.failure(session, error, command));
        if (error instanceof Fatal || (error instanceof LimitExceeded && error.then === "close")) {
          await conn.close();
          break;
        }
        if (countsAsBadCommand(error) && ++this.badCommands >= engine.maxBadCommands) {
          await farewell(engine, session, "too-many-errors", "too many errors", command);
          break;
        }
      } finally {
        // A command still awaiting its line holds what it holds until it ends.
        if (this.awaiting === null) command?.release?.();
      }
    }
    return false;
  }

  /** The session is over: the engine's end, the close, then the listener is told. An error other than PeerClosed is logged and the socket dropped. */
  private async finish(failure: unknown): Promise<void> {
    const conn = this.session.conn;
    this.awaiting?.command.release?.();
    this.awaiting = null;
    try {
      try {
        await this.engine.end?.(this.session);
      } finally {
        if (!conn.isClosed) await conn.close();
      }
      if (failure !== null && !(failure instanceof PeerClosed)) throw failure;
    } catch (error) {
      this.session.context.log?.(`${conn.id} internal error: ${error instanceof Error ? error.stack : String(error)}`);
      conn.destroy();
    }
    this.finished = true;
    this.settleDone?.();
    this.ended?.(this);
  }
}

/**
 * The checks every command passes before its handler, in this order: known
 * verb (SMTP 500, POP3 -ERR, IMAP BAD), allowed in this state (SMTP 503,
 * RFC 5321 §4.1.4; POP3 RFC 1939 §3 "-ERR" for a command in the wrong
 * state), TLS required (SMTP 530, RFC 3207 §4: "the server SHOULD reply to
 * every command other than NOOP, EHLO, STARTTLS, or QUIT with 530").
 */
function gate<S extends SessionBase>(engine: Engine<S>, session: S, command: Command): CommandRow<S> {
  const row = engine.table.get(command.verb);
  if (!row) throw new ClientError("unknown-command", `unknown command ${shownVerb(command.verb)}`);
  const state = engine.state(session);
  if (!row.states.includes(state)) {
    throw new ClientError("bad-sequence", `${command.verb} not allowed in the ${state} state`);
  }
  if (!row.flags?.preTls && !session.conn.tls && engine.tlsRequired(session)) {
    throw new ClientError("tls-required", "must issue a STARTTLS command first");
  }
  return row;
}

async function farewell<S extends SessionBase>(
  engine: Engine<S>,
  session: S,
  reason: FatalReason,
  text: string,
  command: Command | null,
  closeGraceMs?: number,
): Promise<void> {
  session.conn.write(engine.vocabulary.failure(session, new Fatal(reason, text), command));
  await session.conn.close(closeGraceMs);
}

function describeArgs(row: CommandRow<unknown>, command: Command): string {
  if (command.args === "") return "";
  return row.flags?.redactArgs ? " <redacted>" : " " + command.args;
}

/** A verb as an error text quotes it: at most 20 characters, anything but printable ASCII as "?" (a reply must not carry the client's control bytes). */
export function shownVerb(text: string): string {
  const clean = text.replace(/[^\x21-\x7e]/g, "?");
  return clean.length > 20 ? clean.slice(0, 20) + "..." : clean;
}

/**
 * The common "VERB SP args" split used by SMTP and POP3 (IMAP adds a tag).
 * A verb is letters only; anything else (NUL, control bytes, an empty line)
 * is not a command and gets the protocol's syntax reply.
 */
export function splitCommandLine(line: Buffer): Command {
  const text = line.toString("utf8");
  const space = text.indexOf(" ");
  const verb = space === -1 ? text : text.slice(0, space);
  // Letters, then letters or digits: POP3's UTF8 (RFC 6856) has a digit.
  if (!/^[A-Za-z][A-Za-z0-9]{0,19}$/.test(verb)) {
    throw new ClientError(verb === "" ? "syntax" : "unknown-command", verb === "" ? "empty command line" : `unknown command ${shownVerb(verb)}`);
  }
  return { verb: verb.toUpperCase(), args: space === -1 ? "" : text.slice(space + 1) };
}

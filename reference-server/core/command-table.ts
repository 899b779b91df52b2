// The shape every protocol's command table shares: one row per verb, saying
// in which states it may run, what the generic gate must check, and which
// handler runs it. A command file exports its own row; a protocol's table.ts
// only lists them. The session driver (session.ts) reads the table.
// Standards: RFC 5321 §4.1.4 (order of commands), RFC 1939 §3 (states), RFC 3501 §3.

import type { ReadLine } from "./connection.ts";

/** A parsed command line: the verb upper-cased, the rest untouched. */
export interface Command {
  verb: string;
  /** Everything after the verb and one space; "" when absent. */
  args: string;
  /** IMAP's tag; absent for SMTP and POP3. */
  tag?: string;
  /** IMAP: the whole command as received (lines and literals, without the final CRLF). */
  raw?: Buffer;
  /** Gives back what the command holds in the memory budget (literals); the driver calls it once the handler is done. */
  release?: () => void;
}

export interface CommandFlags {
  /** Allowed on a clear channel even when policy requires TLS (EHLO, STARTTLS, QUIT ...). */
  preTls?: boolean;
  /** The session log shows "<redacted>" instead of the arguments (PASS, AUTH, APOP). */
  redactArgs?: boolean;
}

/**
 * What a handler returns when its command goes on at the client's next line
 * (IMAP IDLE, ended by DONE): the driver waits for that line the way it waits
 * between commands — parked, holding no promise — and hands it here instead
 * of parsing it as a command. Until then the command is still running: its
 * errors are its own, and its release() waits for its end.
 */
export interface LineAwaited<S> {
  /** How long the client may take to send the line. */
  readonly timeoutMs: number;
  /** The line, or LINE_TOO_LONG when it exceeded the protocol's command line limit. */
  line(session: S, line: ReadLine): void | Promise<void>;
  /**
   * Set when the command failed while waiting (IDLE's mailbox deleted): the
   * driver, woken by Connection.interrupt(), fails the command with it as if
   * its handler had thrown it.
   */
  readonly failure?: unknown;
}

export interface CommandRow<S, State extends string = string> {
  verb: string;
  states: readonly State[];
  flags?: CommandFlags;
  handle(session: S, command: Command): void | LineAwaited<S> | Promise<void | LineAwaited<S>>;
}

export type CommandTable<S> = ReadonlyMap<string, CommandRow<S>>;

/** Build a table from rows; a verb listed twice is a programming error. */
export function commandTable<S>(rows: readonly CommandRow<S, any>[]): CommandTable<S> {
  const table = new Map<string, CommandRow<S>>();
  for (const row of rows) {
    if (table.has(row.verb)) throw new Error(`command ${row.verb} listed twice`);
    table.set(row.verb, row);
  }
  return table;
}

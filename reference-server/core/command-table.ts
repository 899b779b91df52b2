// The shape every protocol's command table shares: one row per verb, saying
// in which states it may run, what the generic gate must check, and which
// handler runs it. A command file exports its own row; a protocol's table.ts
// only lists them. The session driver (session.ts) reads the table.
// Standards: RFC 5321 §4.1.4 (order of commands), RFC 1939 §3 (states), RFC 3501 §3.

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

export interface CommandRow<S, State extends string = string> {
  verb: string;
  states: readonly State[];
  flags?: CommandFlags;
  handle(session: S, command: Command): void | Promise<void>;
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

// Where a command's arguments start in the received command: right after
// "tag SP verb". Handlers read from there with an ArgReader.
// Standards: RFC 3501 §9 (command = tag SP (command-any / command-auth / ...) CRLF).

import type { Command } from "../../core/command-table.ts";
import { ArgReader } from "./reader.ts";

export function argsOf(command: Command): ArgReader {
  const raw = command.raw ?? Buffer.from(`${command.tag} ${command.verb}${command.args ? " " + command.args : ""}`, "latin1");
  return new ArgReader(raw, command.tag!.length + 1 + command.verb.length, UTF8_COMMANDS.has(command) || REV2_COMMANDS.has(command), UTF8_COMMANDS.has(command));
}

/** Commands read in a session that enabled UTF8=ACCEPT (RFC 6855 §3): their arguments may be UTF-8. */
const UTF8_COMMANDS = new WeakSet<Command>();
/** Commands read in an IMAP4rev2 session without UTF8=ACCEPT: UTF-8 strings and mailbox names, SEARCH CHARSET still allowed. */
const REV2_COMMANDS = new WeakSet<Command>();

/** Marks `command` as read with UTF-8 arguments when the session enabled UTF8=ACCEPT; returns it. */
export function withUtf8Arguments(enabled: ReadonlySet<string>, command: Command): Command {
  if (enabled.has("UTF8=ACCEPT")) UTF8_COMMANDS.add(command);
  // RFC 9051 §5.1: "In IMAP4rev2, mailbox names are encoded in Net-Unicode" — UTF-8 names, not modified UTF-7.
  else if (enabled.has("IMAP4REV2")) REV2_COMMANDS.add(command);
  return command;
}

/** For a command whose only argument is a mailbox name: SP mailbox, then the line must end. */
export function mailboxOnly(command: Command): string {
  const r = argsOf(command);
  r.sp();
  const name = r.mailbox();
  r.end();
  return name;
}

/** For a command that takes no arguments. */
export function noArgs(command: Command): void {
  argsOf(command).end();
}

// Where a command's arguments start in the received command: right after
// "tag SP verb". Handlers read from there with an ArgReader.
// Standards: RFC 3501 §9 (command = tag SP (command-any / command-auth / ...) CRLF).

import type { Command } from "../../core/command-table.ts";
import { ArgReader } from "./reader.ts";

export function argsOf(command: Command): ArgReader {
  const raw = command.raw ?? Buffer.from(`${command.tag} ${command.verb}${command.args ? " " + command.args : ""}`, "latin1");
  return new ArgReader(raw, command.tag!.length + 1 + command.verb.length);
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
